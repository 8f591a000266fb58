pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

// Who can help with the chosen service: on duty now (with a call button each),
// and who comes next. With nobody on duty it says when someone will be, and
// shows the hotline large. It is never blank: even with no schedule at all it
// says so and gives the hotline.
Rectangle {
    id: screen

    required property KioskViewModel vm
    readonly property ScheduleViewModel schedule: vm.schedule
    readonly property string situation: schedule.situation
    readonly property var next: schedule.upcoming.length > 0 ? schedule.upcoming[0] : null

    objectName: "scheduleScreen"
    color: Theme.paper

    TopBar {
        id: bar
        vm: screen.vm
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
    }

    Item {
        id: header

        // On a narrow screen the big call button goes under the title, not beside it.
        readonly property bool stacked: anyone.visible
            && serviceIcon.width + titleMetrics.advanceWidth + anyone.implicitWidth + 3 * Theme.gap > width

        anchors.top: bar.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.margin
        height: stacked ? titleRow.implicitHeight + Theme.gap + anyone.height
                        : Math.max(titleRow.implicitHeight, anyone.visible ? anyone.height : 0)

        TextMetrics {
            id: titleMetrics
            font: title.font
            text: title.text
        }

        Row {
            id: titleRow
            anchors.left: parent.left
            anchors.right: anyone.visible && !header.stacked ? anyone.left : parent.right
            anchors.rightMargin: Theme.gap
            y: header.stacked ? 0 : (header.height - implicitHeight) / 2
            spacing: Theme.gap
            Icon {
                id: serviceIcon
                name: screen.schedule.service
                size: Math.round(Theme.fontTitle * 1.5)
                anchors.verticalCenter: parent.verticalCenter
            }
            Text {
                id: title
                objectName: "scheduleTitle"
                anchors.verticalCenter: parent.verticalCenter
                width: titleRow.width - serviceIcon.width - titleRow.spacing
                text: Texts.serviceName(screen.schedule.service)
                color: Theme.primary
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
                elide: Text.ElideRight
            }
        }

        KioskButton {
            id: anyone
            objectName: "callAnyoneButton"
            visible: screen.situation === "ready"
            x: header.stacked ? 0 : header.width - width
            y: header.stacked ? titleRow.implicitHeight + Theme.gap : (header.height - height) / 2
            width: header.stacked ? header.width : implicitWidth
            height: Theme.buttonHeight
            tone: "call"
            iconName: "video"
            fontSize: Theme.fontLarge
            text: qsTr("Video call now")
            onClicked: screen.schedule.callAnyone()
        }
    }

    NoticeBanner {
        id: stale
        visible: screen.schedule.stale
        minutesAgo: screen.schedule.minutesAgo
        hotline: screen.vm.hotline
        anchors.top: header.bottom
        anchors.topMargin: Theme.smallGap
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        height: visible ? implicitHeight : 0
    }

    Item {
        id: body
        anchors.top: stale.visible ? stale.bottom : header.bottom
        anchors.bottom: footer.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        anchors.topMargin: Theme.gap
        anchors.bottomMargin: Theme.gap

        readonly property bool sideBySide: !Theme.portrait
        readonly property bool showNext: screen.situation !== "unknown"

        // Now: who is on duty, or the sentence that nobody is.
        Item {
            id: now
            x: 0
            y: 0
            width: body.sideBySide && body.showNext ? body.width * 0.58 - Theme.gap / 2 : body.width
            height: body.sideBySide || !body.showNext ? body.height
                    : Math.min(body.height * 0.62,
                               nowContent.visible ? nowContent.naturalHeight : nobody.implicitHeight)

            Column {
                id: nowContent
                width: parent.width
                spacing: Theme.smallGap
                visible: screen.situation === "ready" || screen.situation === "busy"

                // Every card has the same height, so we know how many fit; the
                // ones that do not are reached through "Video call now".
                readonly property real cardHeight: Math.max(
                    Math.ceil(1.45 * (Theme.fontLarge + Theme.fontBody)) + Theme.px(8),
                    Theme.buttonHeight) + 2 * Theme.smallGap
                readonly property var everyone: screen.schedule.onDuty
                readonly property real room: now.height - nowTitle.height - spacing
                    - (busyText.visible ? busyText.height + spacing : 0)
                readonly property real slot: cardHeight + spacing
                readonly property int fitting: room + spacing >= everyone.length * slot
                    ? everyone.length
                    : Math.max(1, Math.floor((room - moreText.lineHeightPx) / slot))
                readonly property int shown: Math.min(everyone.length, fitting)
                readonly property real naturalHeight: nowTitle.height + spacing
                    + (busyText.visible ? busyText.height + spacing : 0)
                    + everyone.length * (cardHeight + spacing)

                Text {
                    id: nowTitle
                    text: qsTr("On duty now")
                    color: Theme.ink
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                }
                BalancedText {
                    id: busyText
                    objectName: "busyText"
                    visible: screen.situation === "busy"
                    maxWidth: parent.width
                    content: qsTr("Everyone on duty is busy right now. Please wait a little and try again, or call %1.")
                             .arg(screen.vm.hotline)
                    color: Theme.ink
                    font.pixelSize: Theme.fontBody
                }
                Repeater {
                    model: nowContent.everyone.slice(0, nowContent.shown)
                    ExpertCard {
                        id: expertCard
                        required property var modelData
                        expert: expertCard.modelData
                        width: nowContent.width
                        height: nowContent.cardHeight
                        onCallClicked: function (expertId) { screen.schedule.call(expertId) }
                    }
                }
                Text {
                    id: moreText
                    objectName: "moreOnDutyText"
                    readonly property real lineHeightPx: Math.ceil(Theme.fontSmall * 1.5)
                    visible: nowContent.everyone.length > nowContent.shown
                    width: parent.width
                    text: qsTr("%n more on duty.", "",
                               nowContent.everyone.length - nowContent.shown)
                    color: Theme.inkSoft
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    elide: Text.ElideRight
                }
            }

            Rectangle {
                id: nobody
                objectName: "nobodyPanel"
                visible: screen.situation === "nobody" || screen.situation === "unknown"
                width: parent.width
                implicitHeight: nobodyContent.implicitHeight + 2 * Theme.gap
                height: Math.min(parent.height, implicitHeight)
                radius: Theme.radius
                color: Theme.surface
                border.width: Theme.border
                border.color: Theme.line

                Column {
                    id: nobodyContent
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.margins: Theme.gap
                    anchors.verticalCenter: parent.verticalCenter
                    spacing: Theme.gap

                    Text {
                        objectName: "nobodyTitle"
                        width: parent.width
                        text: screen.situation === "unknown"
                              ? qsTr("The duty list cannot be shown right now.")
                              : qsTr("Nobody is on duty right now.")
                        color: Theme.ink
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        wrapMode: Text.WordWrap
                    }
                    BalancedText {
                        objectName: "nobodyText"
                        visible: screen.situation === "nobody"
                        maxWidth: parent.width
                        content: screen.next === null
                              ? qsTr("No duty is planned for the next days.")
                              //: %1 day ("Tomorrow"), %2 start time, %3 person with role
                              : qsTr("%1 at %2, %3 is on duty.")
                                .arg(Texts.dayLabel(screen.next.dayOffset, screen.next.dayWeekday,
                                                    screen.next.dayMonth, screen.next.dayDay))
                                .arg(screen.next.start)
                                .arg(Texts.personWithRole(screen.next.name, screen.next.group))
                        color: Theme.primary
                        font.pixelSize: Theme.fontLarge
                    }
                    Rectangle {
                        width: parent.width
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
                                content: qsTr("Need help now? Call the legal service hotline:")
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
                                    objectName: "bigHotlineText"
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
            }
        }

        // Next: the coming shifts, soonest first.
        Item {
            id: later
            visible: body.showNext
            x: body.sideBySide ? now.width + Theme.gap : 0
            y: body.sideBySide ? 0 : now.height + Theme.gap
            width: body.sideBySide ? body.width - x : body.width
            height: body.height - y
            clip: true

            Text {
                id: laterTitle
                text: qsTr("Next on duty")
                color: Theme.ink
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
            Text {
                visible: screen.schedule.upcoming.length === 0
                anchors.top: laterTitle.bottom
                anchors.topMargin: Theme.smallGap
                width: parent.width
                text: qsTr("Nothing is planned yet.")
                color: Theme.inkSoft
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                wrapMode: Text.WordWrap
            }
            UpcomingList {
                id: upcomingList
                objectName: "upcomingList"
                anchors.top: laterTitle.bottom
                anchors.topMargin: Theme.smallGap
                width: parent.width
                // Only whole rows: a half-hidden row would look like a fault.
                readonly property real rowHeight: Theme.fontBody * 2 * 1.5 + 2 * Theme.smallGap + spacing
                rows: screen.schedule.upcoming.slice(
                          0, Math.max(0, Math.floor((later.height - laterTitle.height) / rowHeight)))
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
