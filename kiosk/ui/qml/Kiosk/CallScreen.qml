pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

// The video consultation. First the wait: who is being called, the queue, a
// calm ringing sign, the resident's own picture and a big cancel. Once an
// expert answers: the lawyer large, the resident small, the time, mute, a big
// red hang-up, the line in words, and the document countdown when the lawyer
// asks to see a paper. No language switch and no way home here: only cancel
// and hang up, so a stray touch never drops a call.
Rectangle {
    id: screen

    required property KioskViewModel vm
    readonly property CallViewModel call: vm.call
    readonly property string phase: call.phase
    // Set once an expert answers; "ending" then still shows the call, not the wait.
    property bool answered: false
    readonly property string expertName: call.expertName !== "" ? call.expertName : call.calleeName
    readonly property string expertGroup: call.expertName !== "" ? call.expertGroup : call.calleeGroup

    function notePhase() {
        if (phase === "connecting" || phase === "talking" || phase === "reconnecting")
            answered = true
    }

    objectName: "callScreen"
    // While waiting, the window's own paper (Main.qml) shows through: without a GPU a
    // window-sized rectangle of the same colour costs every redraw (the self view's
    // frames, the rings) about 1.5 ms of Mesa's time for nothing.
    color: answered ? Theme.stage : "transparent"
    onPhaseChanged: notePhase()
    Component.onCompleted: notePhase()

    // The resident's own picture, with a line under it saying so.
    component SelfFrame: Column {
        id: frame
        property alias slot: box
        property bool highlight: false
        property color captionColor: Theme.inkSoft
        property real boxHeight: width * 3 / 4
        spacing: Math.max(4, Theme.px(8))
        Rectangle {
            id: box
            width: frame.width
            height: frame.boxHeight
            color: Theme.videoGround
            radius: Theme.smallGap
            border.width: frame.highlight ? 3 * Theme.border : Theme.border
            border.color: frame.highlight ? Theme.notice : Theme.line
            clip: true
        }
        Text {
            width: frame.width
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("This is you")
            color: frame.captionColor
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            font.bold: true
            wrapMode: Text.WordWrap
        }
    }

    // A plain sentence on amber across the top of the lawyer's picture.
    component StageBanner: Rectangle {
        id: banner
        property string text: ""
        width: parent ? parent.width : 0
        height: bannerRow.implicitHeight + 2 * Theme.smallGap
        radius: Theme.radius
        color: Theme.notice
        border.width: Theme.border
        border.color: Theme.noticeBorder
        Row {
            id: bannerRow
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.margins: Theme.gap
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.smallGap
            Icon {
                name: "notice-red"
                size: Theme.iconSmall
                anchors.verticalCenter: parent.verticalCenter
            }
            BalancedText {
                anchors.verticalCenter: parent.verticalCenter
                maxWidth: bannerRow.width - Theme.iconSmall - bannerRow.spacing
                content: banner.text
                color: Theme.ink
                font.pixelSize: Theme.fontBody
                font.bold: true
            }
        }
    }

    // --- the bar: the service while waiting, the expert and the time in the call ---------

    Rectangle {
        id: bar
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        height: Theme.barHeight
        color: Theme.primary

        Row {
            id: who
            anchors.left: parent.left
            anchors.leftMargin: Theme.margin
            anchors.right: barRight.left
            anchors.rightMargin: Theme.gap
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.smallGap

            Text {
                id: barTitle
                objectName: "callBarTitle"
                anchors.verticalCenter: parent.verticalCenter
                width: Math.min(implicitWidth, who.width - (groupTag.visible ? groupTag.width + who.spacing : 0))
                text: !screen.answered ? Texts.serviceName(screen.call.service)
                      : screen.expertName !== "" ? screen.expertName
                      : qsTr("The lawyer on duty")
                color: Theme.primaryText
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
                elide: Text.ElideRight
            }
            Rectangle {
                id: groupTag
                visible: screen.answered && screen.expertGroup !== ""
                anchors.verticalCenter: parent.verticalCenter
                radius: Theme.smallGap
                color: Theme.tag
                width: groupText.implicitWidth + 2 * Theme.smallGap
                height: groupText.implicitHeight + Math.max(2, Theme.px(6))
                Text {
                    id: groupText
                    anchors.centerIn: parent
                    text: Texts.groupName(screen.expertGroup)
                    color: Theme.primary
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                }
            }
        }

        Row {
            id: barRight
            anchors.right: parent.right
            anchors.rightMargin: Theme.margin
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.smallGap

            Icon {
                name: "clock-white"
                size: Theme.iconSmall
                visible: callTimer.visible
                anchors.verticalCenter: parent.verticalCenter
            }
            Text {
                id: callTimer
                objectName: "callTimer"
                visible: screen.answered && screen.phase !== "connecting"
                anchors.verticalCenter: parent.verticalCenter
                text: screen.call.elapsedText
                color: Theme.primaryText
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
                Accessible.name: qsTr("Call time %1").arg(text)
            }
            Text {
                objectName: "clockText"
                visible: !screen.answered
                anchors.verticalCenter: parent.verticalCenter
                text: screen.vm.timeText
                color: Theme.primaryText
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
        }
    }

    // --- waiting for an expert -------------------------------------------------------------

    Item {
        id: waitingView
        objectName: "callWaiting"
        visible: !screen.answered
        anchors.top: bar.bottom
        anchors.bottom: parent.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.margin

        readonly property bool ending: screen.phase === "ending"
        readonly property real sideWidth: Theme.portrait ? 0 : Math.min(width * 0.3, Theme.px(560))

        // Placed by bindings, not a Column: see Theme.below.
        Item {
            id: waitContent
            width: parent.width - (waitingView.sideWidth > 0 ? waitingView.sideWidth + 2 * Theme.gap : 0)
            height: cancelButton.y + cancelButton.height
            y: Math.max(0, (parent.height - height) / 2)

            // Calm rings spreading from a green call sign, like a phone ringing somewhere.
            Item {
                id: ringing
                readonly property real core: Math.max(Theme.touchMin, Theme.px(Theme.portrait ? 150 : 120))
                property real sweep: 0
                anchors.horizontalCenter: parent.horizontalCenter
                width: core * 1.7
                height: core * 1.7

                // Stepped 12 times a second rather than animated every frame: calm
                // enough for the eye, and a weak terminal does not redraw the screen
                // 60 times a second for it while a resident waits.
                Timer {
                    interval: 80
                    repeat: true
                    running: screen.phase === "waiting"
                    onTriggered: ringing.sweep = (ringing.sweep + 0.8 / 24) % 1
                }
                Repeater {
                    model: 2
                    Rectangle {
                        required property int index
                        readonly property real t: (ringing.sweep + index / 2) % 1
                        anchors.centerIn: parent
                        width: ringing.core
                        height: width
                        radius: width / 2
                        color: "transparent"
                        border.width: Theme.border
                        border.color: Theme.call
                        scale: 1 + 0.65 * t
                        opacity: waitingView.ending ? 0 : 0.8 * (1 - t)
                    }
                }
                Rectangle {
                    anchors.centerIn: parent
                    width: ringing.core
                    height: width
                    radius: width / 2
                    color: waitingView.ending ? Theme.busy : Theme.call
                    Icon {
                        anchors.centerIn: parent
                        name: waitingView.ending ? "video" : "video-white"
                        size: Math.round(ringing.core * 0.55)
                    }
                }
            }

            Text {
                id: callingText
                objectName: "callingText"
                y: Theme.below(ringing, Theme.smallGap)
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: waitingView.ending ? qsTr("Cancelling the call…") : qsTr("Now calling")
                color: Theme.ink
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                wrapMode: Text.WordWrap
            }
            BalancedText {
                id: calleeText
                objectName: "calleeText"
                visible: !waitingView.ending
                y: Theme.below(callingText, Theme.smallGap)
                anchors.horizontalCenter: parent.horizontalCenter
                maxWidth: parent.width
                horizontalAlignment: Text.AlignHCenter
                content: screen.call.calleeName !== ""
                         ? Texts.personWithRole(screen.call.calleeName, screen.call.calleeGroup)
                         : qsTr("The lawyer on duty")
                color: Theme.primary
                font.pixelSize: Theme.fontTitle
                font.bold: true
            }
            Text {
                id: queueText
                objectName: "queueText"
                visible: !waitingView.ending && screen.call.queuePosition > 0
                y: Theme.below(calleeText, Theme.smallGap)
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: screen.call.queuePosition === 1
                      ? qsTr("You are next.")
                      : qsTr("%n resident(s) ahead of you.", "", screen.call.queuePosition - 1)
                color: Theme.ink
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
                wrapMode: Text.WordWrap
            }
            Text {
                id: waitText
                objectName: "waitText"
                visible: !waitingView.ending && screen.call.waitMinutes >= 0
                y: Theme.below(queueText, Theme.smallGap)
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: screen.call.waitMinutes === 0
                      ? qsTr("It will not be long.")
                      : qsTr("About %n minute(s) to wait.", "", screen.call.waitMinutes)
                color: Theme.ink
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                wrapMode: Text.WordWrap
            }
            BalancedText {
                id: waitHint
                objectName: "waitHint"
                visible: !waitingView.ending
                y: Theme.below(waitText, Theme.smallGap)
                anchors.horizontalCenter: parent.horizontalCenter
                maxWidth: parent.width
                horizontalAlignment: Text.AlignHCenter
                content: qsTr("Please wait. When the lawyer answers, you will see them on this screen.")
                color: Theme.inkSoft
                font.pixelSize: Theme.fontBody
            }

            SelfFrame {
                id: waitSelfTall
                visible: Theme.portrait
                y: Theme.below(waitHint, Theme.gap)
                anchors.horizontalCenter: parent.horizontalCenter
                width: Math.min(parent.width * 0.5, Theme.px(520))
            }

            ToneButton {
                id: cancelButton
                objectName: "cancelButton"
                y: Theme.below(waitSelfTall, Theme.gap) + (waitSelfTall.visible ? 0 : Theme.gap)
                anchors.horizontalCenter: parent.horizontalCenter
                width: Math.min(parent.width, Math.max(implicitWidth, Theme.px(620)))
                height: Math.max(implicitHeight, Theme.buttonHeight, Theme.px(140))
                enabled: !waitingView.ending
                fill: Theme.danger
                fillPressed: Theme.dangerPressed
                ink: Theme.dangerText
                iconName: "hang-up-white"
                fontSize: Theme.fontLarge
                text: waitingView.ending ? qsTr("Cancelling…") : qsTr("Cancel the call")
                onClicked: screen.call.cancel()
            }
        }

        SelfFrame {
            id: waitSelfWide
            visible: !Theme.portrait
            anchors.right: parent.right
            anchors.verticalCenter: parent.verticalCenter
            width: waitingView.sideWidth
        }
    }

    // --- talking to an expert --------------------------------------------------------------

    Item {
        id: callView
        objectName: "callTalking"
        visible: screen.answered
        anchors.top: bar.bottom
        anchors.bottom: parent.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.gap

        readonly property bool tall: Theme.portrait
        readonly property bool ending: screen.phase === "ending"
        readonly property real sideWidth: tall ? width : Math.max(Theme.px(480), width * 0.3)

        Rectangle {
            id: stage
            x: 0
            y: 0
            width: callView.tall ? parent.width : parent.width - callView.sideWidth - Theme.gap
            height: callView.tall ? parent.height - controls.height - Theme.gap : parent.height
            radius: Theme.smallGap
            color: Theme.videoGround
            clip: true

            VideoView {
                id: remote
                objectName: "remoteVideo"
                anchors.fill: parent
                software: screen.call.softwareVideo
                onTargetChanged: screen.call.setRemoteSink(remote.target)
                Component.onCompleted: screen.call.setRemoteSink(remote.target)
                Component.onDestruction: screen.call.setRemoteSink(null)
            }

            // Until the first picture: who it will be, and that it is coming.
            Column {
                objectName: "videoPlaceholder"
                visible: !screen.call.hasRemoteVideo
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.gap
                spacing: Theme.gap
                Rectangle {
                    anchors.horizontalCenter: parent.horizontalCenter
                    width: Math.max(Theme.keyMin, Theme.px(180))
                    height: width
                    radius: width / 2
                    color: Theme.tag
                    visible: screen.expertName !== ""
                    Text {
                        anchors.centerIn: parent
                        text: screen.expertName.charAt(0)
                        color: Theme.primary
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontHuge
                        font.bold: true
                    }
                }
                Text {
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    text: qsTr("Connecting the picture…")
                    color: Theme.stageText
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                    wrapMode: Text.WordWrap
                }
            }

            Column {
                id: banners
                anchors.top: parent.top
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.margins: Theme.smallGap
                spacing: Theme.smallGap

                StageBanner {
                    objectName: "reconnectingBanner"
                    visible: screen.phase === "reconnecting"
                    text: qsTr("The line dropped. Connecting again, please wait…")
                }
                StageBanner {
                    objectName: "endingBanner"
                    visible: callView.ending
                    text: qsTr("Ending the call…")
                }
                StageBanner {
                    objectName: "callNotice"
                    // While the whole call reconnects, the line's own notice says nothing more.
                    visible: screen.call.notice !== ""
                             && !(screen.call.notice === "link_down" && screen.phase === "reconnecting")
                    text: Texts.callNotice(screen.call.notice)
                }
            }

            // The lawyer asked to see a paper: count down, take it, say it went.
            Rectangle {
                id: documentOverlay
                objectName: "documentOverlay"
                readonly property string step: screen.call.document
                visible: step !== ""
                anchors.fill: parent
                color: Theme.scrim

                Rectangle {
                    anchors.centerIn: parent
                    width: Math.min(parent.width - 2 * Theme.smallGap,
                                    Math.max(Theme.px(900), documentContent.implicitWidth + 2 * Theme.gap))
                    height: Math.min(parent.height - 2 * Theme.smallGap,
                                     documentContent.implicitHeight + 2 * Theme.gap)
                    radius: Theme.radius
                    color: Theme.surface

                    Column {
                        id: documentContent
                        anchors.centerIn: parent
                        width: parent.width - 2 * Theme.gap
                        spacing: Theme.smallGap

                        Icon {
                            anchors.horizontalCenter: parent.horizontalCenter
                            name: documentOverlay.step === "sent" ? "check-green"
                                  : documentOverlay.step === "failed" ? "notice-red" : "document"
                            size: Theme.iconLarge * (Theme.compact ? 0.8 : 1)
                            visible: documentOverlay.step !== "countdown"
                        }
                        BalancedText {
                            objectName: "documentTitle"
                            anchors.horizontalCenter: parent.horizontalCenter
                            maxWidth: parent.width
                            horizontalAlignment: Text.AlignHCenter
                            content: {
                                switch (documentOverlay.step) {
                                case "countdown": return qsTr("Hold the paper up to the camera")
                                case "sending": return qsTr("Sending the photo to the lawyer…")
                                case "sent": return qsTr("Sent to the lawyer.")
                                case "failed": return qsTr("The photo did not go through.")
                                default: return ""
                                }
                            }
                            color: documentOverlay.step === "failed" ? Theme.hotline : Theme.ink
                            font.pixelSize: Theme.fontTitle
                            font.bold: true
                        }
                        Rectangle {
                            visible: documentOverlay.step === "countdown"
                            anchors.horizontalCenter: parent.horizontalCenter
                            width: Math.max(Theme.keyMin, Theme.px(190))
                            height: width
                            radius: width / 2
                            color: Theme.primary
                            Text {
                                objectName: "documentCountdown"
                                anchors.centerIn: parent
                                text: screen.call.documentSeconds
                                color: Theme.primaryText
                                font.family: Theme.fontFamily
                                font.pixelSize: Theme.fontHuge
                                font.bold: true
                            }
                        }
                        BalancedText {
                            objectName: "documentDetail"
                            anchors.horizontalCenter: parent.horizontalCenter
                            maxWidth: parent.width
                            horizontalAlignment: Text.AlignHCenter
                            content: {
                                switch (documentOverlay.step) {
                                case "countdown": return qsTr("Hold it still. Check that you can see it in your own small picture.")
                                case "sending": return qsTr("Please keep holding it a moment.")
                                case "sent": return qsTr("You can put the paper down now.")
                                case "failed": return qsTr("The lawyer can ask for it again.")
                                default: return ""
                                }
                            }
                            color: Theme.ink
                            font.pixelSize: Theme.fontBody
                        }
                    }
                }
            }
        }

        // Beside the picture on a wide screen, under it on a tall one.
        Item {
            id: controls
            readonly property real hangUpHeight: Math.max(Theme.buttonHeight, Theme.px(140))
            readonly property real selfWidth: callView.tall ? width * 0.42 : width
            x: callView.tall ? 0 : stage.width + Theme.gap
            y: callView.tall ? callView.height - height : 0
            width: callView.sideWidth
            height: callView.tall
                    ? Math.max(callSelf.height, quality.height + Theme.gap + muteButton.height)
                      + Theme.gap + controls.hangUpHeight
                    : callView.height

            SelfFrame {
                id: callSelf
                x: 0
                y: 0
                width: controls.selfWidth
                captionColor: Theme.stageTextSoft
                highlight: screen.call.document === "countdown"
                boxHeight: callView.tall ? width * 3 / 4
                           : Math.max(0, Math.min(width * 3 / 4,
                                 controls.height - controls.hangUpHeight - muteButton.height
                                 - quality.height - 3 * Theme.gap - Theme.fontSmall * 1.6))
            }

            Rectangle {
                id: quality
                readonly property string level: screen.call.quality
                readonly property int bars: level === "good" ? 4 : level === "fair" ? 3 : level === "" ? 0 : 1
                readonly property color ink: level === "good" ? Theme.availableText
                                             : level === "fair" ? Theme.ink : Theme.hotline
                visible: level !== ""
                x: callView.tall ? callSelf.width + Theme.gap : 0
                y: callView.tall ? 0 : callSelf.height + Theme.gap
                width: controls.width - x
                height: visible ? qualityRow.implicitHeight + 2 * Theme.smallGap : 0
                radius: Theme.radius
                color: level === "good" ? Theme.available : Theme.notice

                Row {
                    id: qualityRow
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.margins: Theme.smallGap
                    anchors.verticalCenter: parent.verticalCenter
                    spacing: Theme.smallGap

                    // Signal bars, as on a mobile phone.
                    Row {
                        id: signalBars
                        anchors.verticalCenter: parent.verticalCenter
                        spacing: Math.max(2, Theme.px(5))
                        Repeater {
                            model: 4
                            Rectangle {
                                required property int index
                                anchors.bottom: parent.bottom
                                width: Math.max(5, Theme.px(10))
                                height: Math.round(Theme.fontBody * (0.35 + 0.22 * index))
                                radius: Math.max(1, Theme.px(2))
                                color: index < quality.bars ? quality.ink : "transparent"
                                border.width: Math.max(1, Theme.px(2))
                                border.color: quality.ink
                            }
                        }
                    }
                    BalancedText {
                        objectName: "qualityText"
                        anchors.verticalCenter: parent.verticalCenter
                        maxWidth: qualityRow.width - signalBars.width - qualityRow.spacing
                        content: Texts.quality(quality.level)
                        color: quality.ink
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                    }
                }
            }

            ToneButton {
                id: muteButton
                objectName: "muteButton"
                readonly property bool muted: screen.call.muted
                x: callView.tall ? callSelf.width + Theme.gap : 0
                y: callView.tall ? quality.height + (quality.visible ? Theme.gap : 0)
                                 : hangUpButton.y - Theme.gap - height
                width: controls.width - x
                height: Math.max(implicitHeight, Theme.buttonHeight)
                enabled: !callView.ending
                fill: muted ? Theme.notice : Theme.surface
                fillPressed: muted ? Theme.noticePressed : Theme.pressedSurface
                ink: muted ? Theme.hotline : Theme.primary
                edge: muted ? Theme.hotline : Theme.primary
                iconName: muted ? "mic-off-red" : "mic"
                text: muted ? qsTr("Muted: the lawyer cannot hear you. Tap to talk again.")
                            : qsTr("Mute")
                Accessible.checkable: true
                Accessible.checked: muted
                onClicked: screen.call.toggleMute()
            }

            ToneButton {
                id: hangUpButton
                objectName: "hangUpButton"
                x: 0
                y: controls.height - height
                width: controls.width
                height: controls.hangUpHeight
                enabled: !callView.ending
                fill: Theme.danger
                fillPressed: Theme.dangerPressed
                ink: Theme.dangerText
                iconName: "hang-up-white"
                fontSize: Theme.fontLarge
                text: callView.ending ? qsTr("Hanging up…") : qsTr("Hang up")
                onClicked: screen.call.hangUp()
            }
        }
    }

    // One picture of the resident, in whichever frame shows now: it is never made twice.
    VideoView {
        id: selfView
        objectName: "selfView"
        parent: screen.answered ? callSelf.slot
                : Theme.portrait ? waitSelfTall.slot : waitSelfWide.slot
        anchors.fill: parent
        anchors.margins: Theme.border
        software: screen.call.softwareVideo
        crop: true
        mirrored: true  // as people expect to see themselves
        onTargetChanged: screen.call.setLocalSink(selfView.target)
        Component.onCompleted: screen.call.setLocalSink(selfView.target)
        Component.onDestruction: screen.call.setLocalSink(null)
    }
}
