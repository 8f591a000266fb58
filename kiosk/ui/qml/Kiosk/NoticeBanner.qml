import QtQuick
import Kiosk

// Says plainly that the schedule may be out of date, and what to do instead.
Rectangle {
    id: banner

    property int minutesAgo: -1
    property string hotline: ""

    objectName: "staleBanner"
    implicitHeight: row.implicitHeight + 2 * Theme.smallGap
    radius: Theme.radius
    color: Theme.notice
    border.width: Theme.border
    border.color: Theme.noticeBorder

    Row {
        id: row
        anchors.verticalCenter: parent.verticalCenter
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.gap
        spacing: Theme.gap

        Icon {
            name: "notice-red"
            size: Theme.iconSmall
            anchors.verticalCenter: parent.verticalCenter
        }
        Text {
            objectName: "stalenessText"
            width: row.width - Theme.iconSmall - row.spacing
            anchors.verticalCenter: parent.verticalCenter
            //: Two sentences side by side: what happened, and what to do.
            text: qsTr("%1 %2").arg(banner.minutesAgo < 0
                   ? qsTr("No connection right now; this list may be out of date.")
                   : banner.minutesAgo < 1
                     ? qsTr("No connection right now; this list was updated just now.")
                     : qsTr("No connection right now; this list was updated %n minute(s) ago.",
                            "", banner.minutesAgo))
                  .arg(qsTr("Urgent? Call %1.").arg(banner.hotline))
            color: Theme.ink
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            font.bold: true
            wrapMode: Text.WordWrap
        }
    }
}
