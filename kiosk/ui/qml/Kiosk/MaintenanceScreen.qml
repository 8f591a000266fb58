pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

// For a technician on a maintenance visit: where the session records stand, how
// their upload goes, and what went wrong with them, each problem in a sentence
// that says what to do. Records are evidence for the lawyers' pay: nothing here
// can delete one; the buttons only send again. Over every screen (Main.qml), so
// it takes every tap that misses its buttons.
Rectangle {
    id: screen

    required property KioskViewModel vm
    readonly property MaintenanceViewModel care: vm.maintenance
    readonly property bool wide: !Theme.portrait
    readonly property bool hasProblems: care.problems.length > 0
    // Facts are short lines read one after another: closer together than paragraphs.
    readonly property int factGap: Math.max(4, Theme.px(8))

    // The detail under a problem's sentence: counts and jumps in words, messages as they are.
    function detailOf(problem) {
        var amount = Number(problem.detail)
        switch (problem.code) {
        case "unsaved":
            return qsTr("%n event(s) not on the disk yet", "", amount)
        case "parked":
            return qsTr("%n event(s) refused", "", amount)
        case "clock_jumped":
            return amount >= 0 ? qsTr("Jumped ahead by %1").arg(Texts.span(amount))
                               : qsTr("Jumped back by %1").arg(Texts.span(-amount))
        default:
            return problem.detail
        }
    }

    objectName: "maintenanceScreen"
    color: Theme.paper

    // Nothing under this screen may be pressed through it.
    MouseArea {
        anchors.fill: parent
        Accessible.ignored: true
    }

    // A white card with a heading; what it holds is stacked under the heading.
    component Section: Rectangle {
        id: section
        property string title: ""
        property real spacing: Theme.smallGap
        default property alias content: inner.data
        width: parent ? parent.width : 0
        height: inner.y + inner.height + Theme.smallGap + Theme.border
        radius: Theme.radius
        color: Theme.surface
        border.width: Theme.border
        border.color: Theme.line
        Text {
            id: heading
            x: Theme.gap
            y: Theme.smallGap
            width: section.width - 2 * Theme.gap
            text: section.title
            color: Theme.primary
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontLarge
            font.bold: true
            wrapMode: Text.WordWrap
        }
        Column {
            id: inner
            x: Theme.gap
            y: heading.y + heading.height + section.spacing
            width: section.width - 2 * Theme.gap
            spacing: section.spacing
        }
    }

    // One line of a section: what is measured, and its value beside it in bold.
    component Fact: Item {
        id: fact
        property string label: ""
        property string value: ""
        property string valueName: ""
        property bool warn: false
        // Paths and error messages have no spaces to break at.
        property bool anywhere: false
        width: parent ? parent.width : 0
        height: Math.max(labelText.height, valueText.height)
        Text {
            id: labelText
            width: Math.round(fact.width * 0.38)
            text: fact.label
            color: Theme.inkSoft
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.WordWrap
        }
        Text {
            id: valueText
            objectName: fact.valueName
            x: labelText.width + Theme.smallGap
            width: fact.width - x
            text: fact.value
            color: fact.warn ? Theme.hotline : Theme.ink
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            font.bold: true
            wrapMode: fact.anywhere ? Text.WrapAtWordBoundaryOrAnywhere : Text.WordWrap
        }
    }

    Rectangle {
        id: bar
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        height: Math.max(Theme.barHeight, barRow.implicitHeight + 2 * Theme.smallGap)
        color: Theme.primary

        Row {
            id: barRow
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.margins: Theme.margin
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.gap
            Text {
                id: title
                objectName: "maintenanceTitle"
                anchors.verticalCenter: parent.verticalCenter
                text: qsTr("Maintenance")
                color: Theme.primaryText
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
            BalancedText {
                anchors.verticalCenter: parent.verticalCenter
                maxWidth: barRow.width - title.width - barRow.spacing
                content: qsTr("For technicians. Nothing on this screen deletes a record.")
                color: Theme.primaryTextSoft
                font.pixelSize: Theme.fontBody
            }
        }
    }

    Flickable {
        id: body
        objectName: "maintenanceBody"
        anchors.top: bar.bottom
        anchors.bottom: ways.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        anchors.topMargin: Theme.gap
        anchors.bottomMargin: Theme.smallGap
        contentWidth: width
        contentHeight: Math.max(first.y + first.height, second.y + second.height)
        // Only a long list of problems needs it; the usual screen stands still.
        interactive: contentHeight > height
        boundsBehavior: Flickable.StopAtBounds
        clip: true

        // Side by side on a wide screen: the numbers on the left, what is wrong on the right.
        Column {
            id: first
            width: screen.wide ? Math.round((body.width - Theme.gap) * 0.42) : body.width
            spacing: Theme.gap

            Section {
                objectName: "recordsSection"
                title: qsTr("Session records")
                spacing: screen.factGap
                Fact {
                    label: qsTr("Waiting to upload")
                    value: qsTr("%n event(s)", "", screen.care.pending)
                    valueName: "pendingValue"
                }
                Fact {
                    label: qsTr("From")
                    value: qsTr("%n consultation(s)", "", screen.care.consultations)
                    valueName: "consultationsValue"
                }
                Fact {
                    label: qsTr("Oldest has waited")
                    value: Texts.waited(screen.care.oldestMinutes)
                    valueName: "oldestValue"
                }
            }

            Section {
                objectName: "uploadSection"
                title: qsTr("Upload")
                spacing: screen.factGap
                Fact {
                    label: qsTr("Now")
                    value: Texts.uploadState(screen.care.uploadState)
                    valueName: "uploadStateValue"
                    warn: screen.care.uploadState === "waiting" || screen.care.uploadState === "no_link"
                }
                Fact {
                    label: qsTr("Sent since start")
                    value: qsTr("%n event(s)", "", screen.care.sent)
                    valueName: "sentValue"
                }
                Fact {
                    label: qsTr("Last success")
                    value: screen.care.lastSuccess !== "" ? screen.care.lastSuccess : qsTr("Not yet")
                    valueName: "lastSuccessValue"
                }
                Fact {
                    label: qsTr("Last error")
                    value: screen.care.uploadError !== "" ? screen.care.uploadError : qsTr("None")
                    valueName: "uploadErrorValue"
                    anywhere: true
                }
                Fact {
                    label: qsTr("Next try")
                    value: screen.care.nextAttempt < 0 ? qsTr("None planned")
                           : screen.care.nextAttempt === 0 ? qsTr("Now")
                           : qsTr("In %1").arg(Texts.span(screen.care.nextAttempt))
                    valueName: "nextAttemptValue"
                }
            }
        }

        Column {
            id: second
            x: screen.wide ? first.width + Theme.gap : 0
            y: screen.wide ? 0 : first.height + Theme.gap
            width: screen.wide ? body.width - x : body.width
            spacing: Theme.gap

            Section {
                objectName: "problemsSection"
                title: qsTr("Problems")
                // Each problem has its detail under it: a little less air between them
                // keeps four of them and the terminal's facts on a 1080-line screen.
                spacing: Math.max(5, Theme.px(10))

                Row {
                    objectName: "noProblems"
                    visible: !screen.hasProblems
                    spacing: Theme.smallGap
                    Icon {
                        name: "check-green"
                        size: Theme.iconSmall
                        anchors.verticalCenter: parent.verticalCenter
                    }
                    Text {
                        anchors.verticalCenter: parent.verticalCenter
                        text: qsTr("All is well")
                        color: Theme.ink
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                    }
                }

                Repeater {
                    model: screen.care.problems
                    delegate: Item {
                        id: problem
                        required property var modelData
                        objectName: "problem_" + modelData.code
                        width: parent ? parent.width : 0
                        height: Math.max(mark.height, Theme.below(detail, 0))

                        Icon {
                            id: mark
                            name: "notice-red"
                            size: Theme.iconSmall
                            y: Math.max(0, (Theme.fontBody * 1.4 - height) / 2)
                        }
                        BalancedText {
                            id: sentence
                            objectName: "problemSentence"
                            x: mark.width + Theme.smallGap
                            maxWidth: problem.width - x
                            content: Texts.recordProblem(problem.modelData.code)
                            color: Theme.ink
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                        }
                        Text {
                            id: detail
                            objectName: "problemDetail"
                            visible: text !== ""
                            x: sentence.x
                            y: sentence.height + Math.max(2, Theme.px(4))
                            width: problem.width - x
                            text: screen.detailOf(problem.modelData)
                            color: Theme.inkSoft
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                            wrapMode: Text.WrapAtWordBoundaryOrAnywhere
                        }
                    }
                }
            }

            // Where the outbox's key is kept, who draws the screen (kiosk/ui/rendering.py) and
            // what encodes the video of calls (kiosk/call/hardware.py).
            Section {
                objectName: "terminalSection"
                title: qsTr("This terminal")
                spacing: screen.factGap
                Fact {
                    label: qsTr("Record key")
                    value: screen.care.keyWhere === "system keyring" ? qsTr("In the system keyring")
                           : screen.care.keyWhere !== "" ? screen.care.keyWhere
                           : qsTr("Not known yet: the record store has not opened")
                    valueName: "keyWhereValue"
                    anywhere: true
                }
                Fact {
                    label: qsTr("Screen drawn by")
                    value: screen.care.renderer === "gpu" ? qsTr("The graphics chip (GPU)")
                           : screen.care.renderer === "software"
                             ? qsTr("The processor (no GPU driver found)") : qsTr("Not known")
                    valueName: "rendererValue"
                }
                Fact {
                    label: qsTr("Video codec")
                    value: screen.care.videoCodec === "h264"
                           ? (screen.care.videoHardware ? qsTr("H.264, hardware (%1)")
                                                        : qsTr("H.264, software (%1)"))
                             .arg(screen.care.videoEncoder)
                           : screen.care.videoCodec === "vp8" ? qsTr("VP8, software")
                           : qsTr("Not known yet")
                    valueName: "videoCodecValue"
                }
            }
        }
    }

    // Shown only when the problems run past the screen: there is more to read below.
    Rectangle {
        objectName: "maintenanceScroll"
        visible: body.interactive
        x: body.x + body.width + Math.round((Theme.margin - width) / 2)
        y: body.y + body.visibleArea.yPosition * body.height
        width: Math.max(6, Theme.px(10))
        height: body.visibleArea.heightRatio * body.height
        radius: width / 2
        color: Theme.line
    }

    // Back, and the two ways to send: side by side when they fit, one under the other when
    // not. Placed by bindings, so a tap just after the screen appears lands where it aims.
    Item {
        id: ways
        readonly property int count: release.visible ? 3 : 2
        // Equal widths look like one row of choices; the longest label decides whether they fit.
        readonly property real widest: Math.max(back.implicitWidth, retry.implicitWidth,
                                                release.visible ? release.implicitWidth : 0)
        readonly property bool oneLine: count * widest + (count - 1) * Theme.gap <= width
        readonly property real buttonWidth: oneLine ? (width - (count - 1) * Theme.gap) / count : width
        readonly property real step: oneLine ? buttonWidth + Theme.gap : Theme.buttonHeight + Theme.gap

        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: Theme.margin
        height: oneLine ? Theme.buttonHeight : count * Theme.buttonHeight + (count - 1) * Theme.gap

        KioskButton {
            id: back
            objectName: "maintenanceBack"
            width: ways.buttonWidth
            height: Theme.buttonHeight
            tone: "plain"
            iconName: "back"
            text: qsTr("Back")
            onClicked: screen.care.closeScreen()
        }
        KioskButton {
            id: release
            objectName: "releaseParked"
            visible: screen.care.parked > 0
            x: ways.oneLine ? ways.step : 0
            y: ways.oneLine ? 0 : ways.step
            width: ways.buttonWidth
            height: Theme.buttonHeight
            tone: "plain"
            text: qsTr("Resend the refused records")
            onClicked: screen.care.releaseParked()
        }
        KioskButton {
            id: retry
            objectName: "retryUpload"
            x: ways.oneLine ? (ways.count - 1) * ways.step : 0
            y: ways.oneLine ? 0 : (ways.count - 1) * ways.step
            width: ways.buttonWidth
            height: Theme.buttonHeight
            tone: "primary"
            text: qsTr("Upload now")
            onClicked: screen.care.retry()
        }
    }
}
