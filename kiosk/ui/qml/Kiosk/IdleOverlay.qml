import QtQuick
import Kiosk

// "Still there?" — shown by the idle watch before the visit is ended. It takes
// no taps itself: the watch's event filter sees the touch first, dismisses the
// warning and swallows that touch so nothing under the overlay is pressed.
Rectangle {
    id: overlay

    required property IdleWatch idle

    objectName: "idleOverlay"
    visible: idle.warning
    color: Theme.scrim

    Rectangle {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, Math.max(Theme.px(1100), content.implicitWidth + 4 * Theme.gap))
        height: content.implicitHeight + 4 * Theme.gap
        radius: Theme.radius * 2
        color: Theme.surface

        Column {
            id: content
            anchors.centerIn: parent
            width: parent.width - 4 * Theme.gap
            spacing: Theme.gap

            Text {
                objectName: "idleTitle"
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Are you still there?")
                color: Theme.ink
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
                wrapMode: Text.WordWrap
            }
            Text {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Touch the screen to continue.")
                color: Theme.primary
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
                wrapMode: Text.WordWrap
            }
            Rectangle {
                anchors.horizontalCenter: parent.horizontalCenter
                width: Math.max(Theme.touchMin, Theme.px(200))
                height: width
                radius: width / 2
                color: Theme.primary
                Text {
                    objectName: "idleCountdown"
                    anchors.centerIn: parent
                    text: overlay.idle.secondsLeft
                    color: Theme.primaryText
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontHuge
                    font.bold: true
                }
            }
            BalancedText {
                objectName: "idleExplanation"
                anchors.horizontalCenter: parent.horizontalCenter
                maxWidth: parent.width
                horizontalAlignment: Text.AlignHCenter
                content: qsTr("Otherwise we go back to the start in %n second(s), and what you chose is cleared.",
                              "", overlay.idle.secondsLeft)
                color: Theme.ink
                font.pixelSize: Theme.fontBody
            }
        }
    }
}
