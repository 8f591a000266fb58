pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

// After a consultation: "how was it?" with five faces and their words, or skip;
// then a thank-you, and the kiosk goes back to the start by itself.
Rectangle {
    id: screen

    required property KioskViewModel vm
    readonly property RatingViewModel rating: vm.rating

    objectName: "ratingScreen"
    color: Theme.paper

    TopBar {
        id: bar
        vm: screen.vm
        navigation: false
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
    }

    Item {
        id: body
        anchors.top: bar.bottom
        anchors.bottom: footer.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.margin

        // Placed by bindings, not a Column: see Theme.below.
        Item {
            id: ask
            visible: screen.rating.step !== "thanks"
            width: parent.width
            height: Theme.below(skip, 0)
            y: Math.max(0, (parent.height - height) / 2)

            BalancedText {
                id: askTitle
                objectName: "ratingTitle"
                anchors.horizontalCenter: parent.horizontalCenter
                maxWidth: parent.width
                horizontalAlignment: Text.AlignHCenter
                content: qsTr("How was this consultation?")
                color: Theme.ink
                font.pixelSize: Theme.fontTitle
                font.bold: true
            }
            Text {
                id: askHint
                y: Theme.below(askTitle, Theme.smallGap)
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Tap a face.")
                color: Theme.inkSoft
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                wrapMode: Text.WordWrap
            }

            // A row of five on a wide screen; a list of five on a tall one.
            Item {
                id: faces
                readonly property bool list: Theme.portrait
                readonly property real spacing: list ? Theme.smallGap : Theme.gap
                readonly property real cellWidth: list ? width : (width - 4 * spacing) / 5
                readonly property real faceSize: list ? Math.max(Theme.keyMin, Theme.px(120))
                    : Math.max(Theme.keyMin, Math.min(Theme.px(160), cellWidth * 0.6))
                readonly property real cellHeight: probe.implicitHeight
                y: Theme.below(askHint, Theme.gap)
                width: parent.width
                height: list ? 5 * cellHeight + 4 * spacing : cellHeight

                // Measures one face (all have the same height); never shown.
                FaceButton {
                    id: probe
                    visible: false
                    wide: faces.list
                    width: faces.cellWidth
                    faceSize: faces.faceSize
                }
                Repeater {
                    model: 5
                    FaceButton {
                        required property int index
                        objectName: "face" + (index + 1)
                        score: index + 1
                        wide: faces.list
                        faceSize: faces.faceSize
                        x: faces.list ? 0 : index * (faces.cellWidth + faces.spacing)
                        y: faces.list ? index * (faces.cellHeight + faces.spacing) : 0
                        width: faces.cellWidth
                        height: faces.cellHeight
                        onClicked: screen.rating.rate(score)
                    }
                }
            }

            KioskButton {
                id: skip
                objectName: "skipRating"
                y: Theme.below(faces, Theme.gap)
                anchors.horizontalCenter: parent.horizontalCenter
                width: Math.min(parent.width, Math.max(implicitWidth, Theme.px(420)))
                height: Theme.buttonHeight
                tone: "plain"
                text: qsTr("Skip")
                onClicked: screen.rating.skip()
            }
        }

        Column {
            id: thanks
            objectName: "ratingThanks"
            visible: screen.rating.step === "thanks"
            width: parent.width
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.gap

            Icon {
                anchors.horizontalCenter: parent.horizontalCenter
                name: screen.rating.score > 0 ? "face-" + screen.rating.score : "check-green"
                size: Math.round(Theme.iconLarge * 1.3)
            }
            Text {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Thank you!")
                color: Theme.primary
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
                wrapMode: Text.WordWrap
            }
            BalancedText {
                anchors.horizontalCenter: parent.horizontalCenter
                maxWidth: parent.width
                horizontalAlignment: Text.AlignHCenter
                content: screen.rating.score > 0 ? qsTr("Your answer helps us serve you better.")
                                                 : qsTr("We hope the lawyer could help you.")
                color: Theme.ink
                font.pixelSize: Theme.fontLarge
            }
            Text {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Going back to the start…")
                color: Theme.inkSoft
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                wrapMode: Text.WordWrap
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
