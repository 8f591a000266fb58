import QtQuick
import Kiosk

// One big, labelled, high-contrast button. `tone`: "primary" (navy), "call"
// (green), "light" (white on the navy bar's outline), "plain" (white card).
TouchButton {
    id: control

    property string tone: "primary"
    property string iconName: ""
    property int fontSize: Theme.fontBody
    property int iconSize: Math.round(fontSize * 1.25)
    property bool bold: true
    property int horizontalPadding: Math.max(12, Theme.px(32))

    readonly property color fill: {
        switch (tone) {
        case "call": return down ? Theme.callPressed : Theme.call
        case "light": return down ? Theme.primaryPressed : Theme.primary
        case "plain": return down ? Theme.pressedSurface : Theme.surface
        default: return down ? Theme.primaryPressed : Theme.primary
        }
    }
    readonly property color ink: {
        switch (tone) {
        case "call": return Theme.callText
        case "plain": return Theme.primary
        default: return Theme.primaryText
        }
    }
    readonly property string iconVariant: iconName === "" ? ""
        : (tone === "plain" ? iconName : iconName + "-white")

    readonly property int iconSpace: iconName !== "" ? iconSize + content.spacing : 0

    implicitHeight: Math.max(Theme.touchMin, label.implicitHeight + Theme.px(24))
    implicitWidth: Math.max(Theme.touchMin, label.implicitWidth + iconSpace + 2 * horizontalPadding)

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: control.fill
        border.width: control.tone === "light" || control.tone === "plain" ? Theme.border : 0
        border.color: control.tone === "light" ? Theme.primaryText : Theme.primary
    }

    Item {
        anchors.fill: parent
        anchors.leftMargin: control.horizontalPadding
        anchors.rightMargin: control.horizontalPadding
        Row {
            id: content
            anchors.centerIn: parent
            spacing: Math.max(8, Theme.px(18))
            Icon {
                name: control.iconVariant
                size: control.iconSize
                visible: control.iconName !== ""
                anchors.verticalCenter: parent.verticalCenter
            }
            Text {
                id: label
                text: control.text
                color: control.ink
                font.family: Theme.fontFamily
                font.pixelSize: control.fontSize
                font.bold: control.bold
                anchors.verticalCenter: parent.verticalCenter
                width: Math.min(implicitWidth,
                                control.width - 2 * control.horizontalPadding - control.iconSpace)
                elide: Text.ElideRight
            }
        }
    }
}
