import QtQuick
import Kiosk

// The fallback that always works: the bureau's hotline, shown on every screen.
Rectangle {
    id: hotlineBar

    required property string hotline

    implicitHeight: Math.max(Theme.touchMin, Theme.px(104))
    color: Theme.surface

    Rectangle {
        anchors.top: parent.top
        width: parent.width
        height: Theme.border
        color: Theme.line
    }

    Row {
        anchors.centerIn: parent
        spacing: Theme.gap
        Icon {
            name: "phone-red"
            size: Theme.iconSmall
            anchors.verticalCenter: parent.verticalCenter
        }
        Text {
            anchors.verticalCenter: parent.verticalCenter
            text: qsTr("Legal service hotline")
            color: Theme.ink
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
        Text {
            objectName: "hotlineText"
            anchors.verticalCenter: parent.verticalCenter
            text: hotlineBar.hotline
            color: Theme.hotline
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontLarge
            font.bold: true
        }
    }
}
