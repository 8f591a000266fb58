import QtQuick
import Kiosk

// One key of the callback keypad: a digit (or the erase key) as big as a thumb.
TouchButton {
    id: key

    property string iconName: ""

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: key.down ? Theme.pressedSurface : Theme.surface
        border.width: Theme.border
        border.color: Theme.primary
    }

    Row {
        anchors.centerIn: parent
        spacing: Theme.smallGap
        Icon {
            name: key.iconName
            size: Math.round(Theme.fontLarge * 1.2)
            visible: key.iconName !== ""
            anchors.verticalCenter: parent.verticalCenter
        }
        Text {
            anchors.verticalCenter: parent.verticalCenter
            text: key.text
            color: Theme.primary
            font.family: Theme.fontFamily
            // A digit as big as the number it types; a word (the erase key) as big as a label.
            font.pixelSize: key.iconName === "" ? Theme.fontTitle : Theme.fontBody
            font.bold: true
        }
    }
}
