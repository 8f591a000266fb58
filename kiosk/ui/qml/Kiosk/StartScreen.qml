import QtQuick
import Kiosk

// Where every visit begins: who offers the service, here, and one big way in.
Rectangle {
    id: screen

    required property KioskViewModel vm
    readonly property StartViewModel place: vm.start

    objectName: "startScreen"
    color: Theme.paper

    TopBar {
        id: bar
        vm: screen.vm
        navigation: false
        maintenanceWay: true
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
    }

    Column {
        id: body
        anchors.top: bar.bottom
        anchors.bottom: footer.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.margin
        spacing: Theme.gap

        Item { width: 1; height: Math.max(0, (body.height - content.height) / 2 - Theme.gap) }

        Column {
            id: content
            width: parent.width
            spacing: Theme.gap

            Text {
                objectName: "placeText"
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                visible: text !== ""
                text: [screen.place.county, screen.place.town, screen.place.village]
                      .filter(function (part) { return part !== "" }).join(" ")
                color: Theme.inkSoft
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                wrapMode: Text.WordWrap
            }
            Text {
                objectName: "siteText"
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: screen.place.siteName !== "" ? screen.place.siteName
                                                  : qsTr("Public legal service point")
                color: Theme.primary
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
                wrapMode: Text.WordWrap
            }
            BalancedText {
                objectName: "startTitle"
                anchors.horizontalCenter: parent.horizontalCenter
                maxWidth: parent.width
                horizontalAlignment: Text.AlignHCenter
                content: qsTr("Talk to a lawyer from the city, face to face on this screen.")
                color: Theme.ink
                font.pixelSize: Theme.fontBody
            }

            Item { width: 1; height: Theme.gap }

            KioskButton {
                objectName: "startButton"
                anchors.horizontalCenter: parent.horizontalCenter
                width: Math.min(parent.width,
                                Math.max(implicitWidth, parent.width * (Theme.portrait ? 0.9 : 0.6)))
                height: Math.max(Theme.buttonHeight, Theme.px(Theme.portrait ? 260 : 200))
                tone: "call"
                iconName: "touch"
                fontSize: Theme.fontTitle
                iconSize: Math.round(Theme.fontTitle * 1.4)
                text: qsTr("Tap here to start")
                onClicked: screen.vm.begin()
            }

            Text {
                objectName: "dateText"
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: Texts.fullDate(screen.vm.date)
                color: Theme.inkSoft
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
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
