import QtQuick
import Kiosk

// A big button in colours of its own, for what KioskButton's tones do not
// cover: the red hang-up, the amber "muted". Its label wraps onto a second
// line rather than being cut off, so a long English label still fits a narrow
// column.
TouchButton {
    id: control

    property color fill: Theme.primary
    property color fillPressed: Theme.primaryPressed
    property color ink: Theme.primaryText
    property color edge: "transparent"
    property string iconName: ""
    property int fontSize: Theme.fontBody
    property int iconSize: Math.round(fontSize * 1.4)
    property int horizontalPadding: Math.max(12, Theme.px(28))

    readonly property int iconSpace: iconName !== "" ? iconSize + content.spacing : 0
    readonly property real labelRoom: Math.max(fontSize, width - 2 * horizontalPadding - iconSpace)

    implicitWidth: Math.max(Theme.touchMin, Math.ceil(metrics.advanceWidth) + 2 + iconSpace
                                            + 2 * horizontalPadding)
    implicitHeight: Math.max(Theme.touchMin, label.implicitHeight + Theme.px(24))

    TextMetrics {
        id: metrics
        font.family: Theme.fontFamily
        font.pixelSize: control.fontSize
        font.bold: true
        text: control.text
    }

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: control.down ? control.fillPressed : control.fill
        border.width: control.edge.a > 0 ? Theme.border : 0
        border.color: control.edge
    }

    Row {
        id: content
        anchors.centerIn: parent
        spacing: Math.max(8, Theme.px(18))
        Icon {
            name: control.iconName
            size: control.iconSize
            visible: control.iconName !== ""
            anchors.verticalCenter: parent.verticalCenter
        }
        BalancedText {
            id: label
            anchors.verticalCenter: parent.verticalCenter
            maxWidth: control.labelRoom
            content: control.text
            color: control.ink
            font.pixelSize: control.fontSize
            font.bold: true
            horizontalAlignment: lineCount > 1 ? Text.AlignHCenter : Text.AlignLeft
        }
    }
}
