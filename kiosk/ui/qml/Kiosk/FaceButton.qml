import QtQuick
import Kiosk

// One face of the rating with its words under it (or beside it, in a list).
TouchButton {
    id: face

    property int score: 3
    property bool wide: false  // a row with the words beside the face, for portrait screens
    property int faceSize: Math.max(Theme.keyMin, Theme.px(150))

    text: Texts.faceWord(score)
    implicitHeight: wide ? Math.max(Theme.keyMin, faceSize + 2 * Theme.smallGap)
                         : faceSize + 2 * label.font.pixelSize * 1.4 + 3 * Theme.smallGap

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: face.down ? Theme.pressedSurface : Theme.surface
        border.width: Theme.border
        border.color: Theme.line
    }

    Icon {
        id: picture
        name: "face-" + face.score
        size: face.faceSize
        x: face.wide ? Theme.gap : (face.width - width) / 2
        y: face.wide ? (face.height - height) / 2 : Theme.smallGap
    }

    Text {
        id: label
        x: face.wide ? picture.x + picture.width + Theme.gap : Theme.smallGap
        width: face.wide ? face.width - x - Theme.gap : face.width - 2 * Theme.smallGap
        y: face.wide ? (face.height - height) / 2
                     : picture.y + picture.height + Theme.smallGap
        height: face.wide ? implicitHeight : face.height - y - Theme.smallGap
        text: face.text
        color: Theme.ink
        font.family: Theme.fontFamily
        font.pixelSize: face.wide ? Theme.fontLarge : Theme.fontBody
        font.bold: true
        wrapMode: Text.WordWrap
        horizontalAlignment: face.wide ? Text.AlignLeft : Text.AlignHCenter
        verticalAlignment: Text.AlignTop
    }
}
