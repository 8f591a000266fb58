import QtQuick
import Kiosk

// A whole tile is one button: picture, name, one plain sentence, and a green
// note when someone can be called for it right now.
TouchButton {
    id: tile

    required property string code
    required property string iconSource
    required property int callable

    // Wide tiles (landscape) put the picture beside the name; tall ones above it.
    readonly property bool wide: width > height * 1.35
    readonly property int innerWidth: width - 2 * Theme.gap
    readonly property int iconSize: wide ? Math.min(Theme.px(112), Math.max(40, height * 0.25))
                                         : Math.min(Theme.iconLarge, Math.max(44, height * 0.26))

    objectName: "serviceTile_" + code
    text: name.text
    Accessible.description: sentence.text

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: tile.down ? Theme.pressedSurface : Theme.surface
        border.width: Theme.border
        border.color: tile.down ? Theme.primary : Theme.line
    }

    Item {
        anchors.fill: parent
        Column {
            id: content
            x: Theme.gap
            width: tile.innerWidth
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.smallGap

            Item {
                width: parent.width
                height: tile.wide ? Math.max(picture.height, name.height)
                                  : picture.height + Theme.smallGap + name.height

                Image {
                    id: picture
                    source: tile.iconSource
                    width: tile.iconSize
                    height: tile.iconSize
                    sourceSize.width: tile.iconSize
                    sourceSize.height: tile.iconSize
                    x: tile.wide ? 0 : (parent.width - width) / 2
                    y: tile.wide ? (parent.height - height) / 2 : 0
                    Accessible.ignored: true
                }
                Text {
                    id: name
                    // One line, shrinking a long (English) name rather than breaking it.
                    width: tile.wide ? parent.width - picture.width - Theme.gap : parent.width
                    x: tile.wide ? picture.width + Theme.gap : 0
                    y: tile.wide ? (parent.height - height) / 2 : picture.height + Theme.smallGap
                    horizontalAlignment: tile.wide ? Text.AlignLeft : Text.AlignHCenter
                    text: Texts.serviceName(tile.code)
                    color: Theme.primary
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: Theme.fontBody
                    elide: Text.ElideRight
                }
            }
            BalancedText {
                id: sentence
                maxWidth: parent.width
                x: tile.wide ? 0 : (parent.width - width) / 2
                horizontalAlignment: tile.wide ? Text.AlignLeft : Text.AlignHCenter
                content: Texts.serviceSentence(tile.code)
                color: Theme.ink
                font.pixelSize: Theme.fontBody
                maximumLineCount: 3
                elide: Text.ElideRight
            }
            Rectangle {
                objectName: "availableBadge_" + tile.code
                visible: tile.callable > 0
                x: tile.wide ? 0 : (parent.width - width) / 2
                radius: height / 2
                color: Theme.available
                width: Math.min(parent.width, badge.implicitWidth + 2 * Theme.gap)
                height: badge.implicitHeight + Theme.smallGap
                Text {
                    id: badge
                    anchors.centerIn: parent
                    width: Math.min(implicitWidth, parent.width - 2 * Theme.smallGap)
                    elide: Text.ElideRight
                    text: "● " + qsTr("Someone can talk now")
                    color: Theme.availableText
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                }
            }
        }
    }
}
