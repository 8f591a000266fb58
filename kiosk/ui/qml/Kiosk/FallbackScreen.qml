pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

// Nobody could be reached: says plainly why, and the two ways on. A lawyer
// calls back (the resident types a phone number on a big keypad: there is no
// other typing on this kiosk), or the resident calls the hotline now.
// Everything a finger taps is placed by bindings (Theme.below), not by Column
// or Flow, which place their items only when the next frame is made.
Rectangle {
    id: screen

    required property KioskViewModel vm
    readonly property FallbackViewModel fallback: vm.fallback
    readonly property string step: fallback.step
    readonly property bool wide: !Theme.portrait

    objectName: "fallbackScreen"
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
        anchors.bottom: parent.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        // Every pixel counts for the keypad on a wide screen; a tall one has room to breathe.
        anchors.topMargin: Theme.portrait ? Theme.gap : Theme.smallGap
        anchors.bottomMargin: Theme.portrait ? Theme.gap : Theme.smallGap

        // What happened and what comes next; on a wide screen also the hotline and
        // the ways out, in the left half.
        Item {
            id: story
            width: screen.wide ? (body.width - Theme.margin) / 2 : body.width
            height: Theme.below(wideWays, 0)
            y: screen.wide ? Math.max(0, (body.height - height) / 2) : 0

            Icon {
                id: reasonIcon
                name: "notice-red"
                size: Math.round(Theme.fontTitle * 1.1)
                y: Math.max(0, (reason.height - height) / 2)
            }
            BalancedText {
                id: reason
                objectName: "fallbackReason"
                x: reasonIcon.width + Theme.smallGap
                maxWidth: story.width - x
                content: Texts.fallbackReason(screen.fallback.reason)
                color: Theme.ink
                font.pixelSize: Theme.compact ? Theme.fontLarge : Theme.fontTitle
                font.bold: true
            }
            BalancedText {
                id: next
                objectName: "fallbackNext"
                y: Math.max(reason.height, reasonIcon.height) + Theme.smallGap
                maxWidth: story.width
                visible: screen.step !== "failed"
                content: screen.step === "sent"
                         ? qsTr("If it is urgent, you can also call the hotline.")
                         : qsTr("Leave your phone number and a lawyer will call you back. Or call the hotline now.")
                color: Theme.ink
                font.pixelSize: Theme.fontBody
            }
            // The hotline never fails: shown large whatever happens to the callback.
            Loader {
                id: wideHotline
                active: screen.wide
                visible: active
                y: Theme.below(next, Theme.gap)
                width: story.width
                sourceComponent: hotlineBlock
            }
            Loader {
                id: wideWays
                active: screen.wide
                visible: active
                y: Theme.below(wideHotline, Theme.gap)
                width: story.width
                sourceComponent: ways
            }
        }

        // The callback: keypad and number, or where the request stands.
        Item {
            id: callback
            x: screen.wide ? story.width + Theme.margin : 0
            y: screen.wide ? 0 : story.height + Theme.gap
            width: screen.wide ? body.width - x : body.width
            height: screen.wide ? body.height
                    : body.height - y - tallEnd.height - Theme.gap

            Item {
                id: entry
                // The complaint about the number has a place of its own, kept for a
                // hint while there is none, so the keys never move under a finger.
                readonly property real displayHeight: Math.max(Theme.touchMin,
                                                               phone.implicitHeight + 2 * Theme.smallGap)
                readonly property real problemHeight: 2 * Math.ceil(Theme.fontBody * 1.4)
                readonly property real keyRoom: (callback.height - displayHeight - problemHeight
                                                 - Theme.buttonHeight - 3 * Theme.smallGap
                                                 - 3 * keypad.spacing) / 4
                visible: screen.step === "entry"
                width: Theme.compact ? parent.width
                       : Math.min(parent.width, Math.max(Theme.px(640), parent.width * 0.8))
                height: sendButton.y + sendButton.height
                anchors.horizontalCenter: parent.horizontalCenter
                y: Math.max(0, (parent.height - height) / 2)

                // The number as typed, large; before the first digit, what to type.
                Rectangle {
                    id: display
                    width: parent.width
                    height: entry.displayHeight
                    radius: Theme.radius
                    color: Theme.surface
                    border.width: Theme.border
                    border.color: screen.fallback.problem !== "" ? Theme.hotline : Theme.primary
                    Text {
                        id: phone
                        objectName: "phoneText"
                        visible: screen.fallback.digitCount > 0
                        anchors.centerIn: parent
                        text: screen.fallback.phoneText
                        color: Theme.ink
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontTitle
                        font.bold: true
                    }
                    Text {
                        objectName: "phonePlaceholder"
                        visible: screen.fallback.digitCount === 0
                        anchors.centerIn: parent
                        width: parent.width - 2 * Theme.smallGap
                        horizontalAlignment: Text.AlignHCenter
                        text: qsTr("Type your phone number")
                        color: Theme.inkSoft
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontLarge
                        wrapMode: Text.WordWrap
                    }
                }
                Item {
                    id: problemSlot
                    y: display.height + Theme.smallGap
                    width: parent.width
                    height: entry.problemHeight
                    BalancedText {
                        objectName: "phoneHint"
                        visible: screen.fallback.problem === ""
                        anchors.centerIn: parent
                        maxWidth: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        content: qsTr("A mobile number has 11 digits. For a landline, start with the area code.")
                        color: Theme.inkSoft
                        font.pixelSize: Theme.fontBody
                    }
                    BalancedText {
                        objectName: "phoneProblem"
                        visible: screen.fallback.problem !== ""
                        anchors.centerIn: parent
                        maxWidth: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        content: Texts.phoneProblem(screen.fallback.problem)
                        color: Theme.hotline
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                    }
                }
                Keypad {
                    id: keypad
                    y: problemSlot.y + problemSlot.height + Theme.smallGap
                    width: parent.width
                    height: implicitHeight
                    keyHeight: Math.max(Theme.keyMin, Math.min(Theme.px(140), entry.keyRoom))
                    onDigit: function (key) { screen.fallback.press(key) }
                    onErase: screen.fallback.erase()
                }
                KioskButton {
                    id: sendButton
                    objectName: "sendCallback"
                    y: keypad.y + keypad.height + Theme.smallGap
                    width: parent.width
                    height: Theme.buttonHeight
                    tone: "call"
                    iconName: "phone"
                    fontSize: Theme.fontLarge
                    text: qsTr("Call me back")
                    onClicked: screen.fallback.submit()
                }
            }

            // Saving, saved or failed: one sentence, large, and what to do next. The number
            // is kept on this kiosk and goes to the hub when it can be reached, so "saved"
            // is all the resident may be promised.
            Item {
                id: outcome
                visible: screen.step !== "entry"
                width: parent.width
                height: Math.max(Theme.below(outcomeDetail, 0), Theme.below(retry, 0))
                anchors.verticalCenter: parent.verticalCenter

                Icon {
                    id: outcomeIcon
                    anchors.horizontalCenter: parent.horizontalCenter
                    name: screen.step === "sent" ? "check-green"
                          : screen.step === "failed" ? "notice-red" : "phone"
                    size: Theme.iconLarge
                }
                BalancedText {
                    id: outcomeText
                    objectName: screen.step === "sent" ? "callbackSent"
                                : screen.step === "failed" ? "callbackFailed" : "callbackSending"
                    y: outcomeIcon.height + Theme.gap
                    anchors.horizontalCenter: parent.horizontalCenter
                    maxWidth: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    content: screen.step === "sent"
                             ? qsTr("Your number is saved. A lawyer will call you back.")
                             : screen.step === "failed"
                               ? qsTr("Your number could not be saved. Please call %1.").arg(screen.vm.hotline)
                               : qsTr("Saving your number…")
                    color: screen.step === "failed" ? Theme.hotline : Theme.ink
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                }
                BalancedText {
                    id: outcomeDetail
                    visible: screen.step === "sent"
                    y: Theme.below(outcomeText, Theme.gap)
                    anchors.horizontalCenter: parent.horizontalCenter
                    maxWidth: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    // The number once more, so a resident sees which phone will ring.
                    content: qsTr("The lawyer will call %1. Please keep that phone switched on.")
                             .arg(screen.fallback.phoneText)
                    color: Theme.ink
                    font.pixelSize: Theme.fontLarge
                }
                KioskButton {
                    id: retry
                    objectName: "retryCallback"
                    visible: screen.step === "failed"
                    y: Theme.below(outcomeText, Theme.gap)
                    anchors.horizontalCenter: parent.horizontalCenter
                    width: Math.min(parent.width, Math.max(implicitWidth, Theme.px(480)))
                    height: Theme.buttonHeight
                    tone: "plain"
                    fontSize: Theme.fontLarge
                    text: qsTr("Try again")
                    onClicked: screen.fallback.retry()
                }
            }
        }

        // On a tall screen the hotline and the ways out come last, under the keypad.
        Item {
            id: tallEnd
            visible: !screen.wide
            width: body.width
            height: visible ? Theme.below(tallWays, 0) : 0
            anchors.bottom: parent.bottom
            Loader {
                id: tallHotline
                active: !screen.wide
                width: parent.width
                sourceComponent: hotlineBlock
            }
            Loader {
                id: tallWays
                active: !screen.wide
                y: Theme.below(tallHotline, Theme.gap)
                width: parent.width
                sourceComponent: ways
            }
        }
    }

    Component {
        id: hotlineBlock
        Rectangle {
            height: hotlineColumn.implicitHeight + 2 * Theme.smallGap
            radius: Theme.radius
            color: Theme.notice
            Column {
                id: hotlineColumn
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.gap
                BalancedText {
                    anchors.horizontalCenter: parent.horizontalCenter
                    maxWidth: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    content: qsTr("Or call the legal service hotline:")
                    color: Theme.ink
                    font.pixelSize: Theme.fontBody
                }
                Row {
                    anchors.horizontalCenter: parent.horizontalCenter
                    spacing: Theme.gap
                    Icon {
                        name: "phone-red"
                        size: Math.round(Theme.fontHuge * 0.7)
                        anchors.verticalCenter: parent.verticalCenter
                    }
                    Text {
                        objectName: "fallbackHotline"
                        text: screen.vm.hotline
                        color: Theme.hotline
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontHuge
                        font.bold: true
                    }
                }
            }
        }
    }

    // Back to choose someone else, or done: two halves of the width when both fit
    // on one line, one under the other when not.
    Component {
        id: ways
        Item {
            id: waysRow
            readonly property bool oneLine: back.implicitWidth + done.implicitWidth + Theme.gap <= width
            readonly property real buttonWidth: oneLine ? (width - Theme.gap) / 2 : width
            height: oneLine ? Theme.buttonHeight : 2 * Theme.buttonHeight + Theme.gap
            KioskButton {
                id: back
                objectName: "backButton"
                width: waysRow.buttonWidth
                height: Theme.buttonHeight
                tone: "plain"
                iconName: "back"
                text: qsTr("Back to the list")
                onClicked: screen.vm.back()
            }
            KioskButton {
                id: done
                objectName: "doneButton"
                x: waysRow.oneLine ? waysRow.buttonWidth + Theme.gap : 0
                y: waysRow.oneLine ? 0 : Theme.buttonHeight + Theme.gap
                width: waysRow.buttonWidth
                height: Theme.buttonHeight
                tone: "primary"
                iconName: "home"
                text: qsTr("Finish")
                onClicked: screen.vm.home()
            }
        }
    }
}
