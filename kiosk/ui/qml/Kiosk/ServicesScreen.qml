pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

// Six services as six big tiles: 3×2 on a wide screen, 2×3 on a tall one.
Rectangle {
    id: screen

    required property KioskViewModel vm

    objectName: "servicesScreen"
    color: Theme.paper

    TopBar {
        id: bar
        vm: screen.vm
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
    }

    BalancedText {
        id: title
        objectName: "servicesTitle"
        anchors.top: bar.bottom
        anchors.left: parent.left
        anchors.margins: Theme.margin
        maxWidth: parent.width - 2 * Theme.margin
        content: qsTr("What do you need help with? Tap one.")
        color: Theme.ink
        font.pixelSize: Theme.compact ? Theme.fontLarge : Theme.fontTitle
        font.bold: true
    }

    Grid {
        id: grid
        readonly property int cellWidth: (width - (columns - 1) * columnSpacing) / columns
        readonly property int cellHeight: (height - (rows - 1) * rowSpacing) / rows

        anchors.top: title.bottom
        anchors.bottom: footer.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.margin
        columns: Theme.portrait ? 2 : 3
        rows: Theme.portrait ? 3 : 2
        columnSpacing: Theme.gap
        rowSpacing: Theme.gap

        Repeater {
            model: screen.vm.services.services
            ServiceTile {
                id: serviceTile
                required property var modelData
                code: serviceTile.modelData.code
                iconSource: serviceTile.modelData.icon
                callable: serviceTile.modelData.callable
                width: grid.cellWidth
                height: grid.cellHeight
                onClicked: screen.vm.chooseService(code)
            }
        }
    }

    HotlineBar {
        id: footer
        hotline: screen.vm.hotline
        anchors.bottom: parent.bottom
        anchors.left: parent.left
        anchors.right: parent.right
    }
}
