pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

// Who is on duty next: day, hours, name, team — as many rows as fit.
Column {
    id: list

    required property var rows
    property int skip: 0

    spacing: Theme.smallGap

    Repeater {
        model: list.rows.slice(list.skip)
        Rectangle {
            id: row
            required property var modelData
            required property int index
            objectName: "upcomingRow_" + index
            width: list.width
            height: texts.implicitHeight + 2 * Theme.smallGap
            radius: Theme.radius
            color: Theme.surface
            border.width: Theme.border
            border.color: Theme.line

            Column {
                id: texts
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.leftMargin: Theme.gap
                anchors.rightMargin: Theme.gap
                anchors.verticalCenter: parent.verticalCenter
                Text {
                    width: parent.width
                    text: Texts.dayLabel(row.modelData.dayOffset, row.modelData.dayWeekday,
                                         row.modelData.dayMonth, row.modelData.dayDay)
                          + "  " + Texts.hours(row.modelData.start, row.modelData.end)
                    color: Theme.primary
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                    elide: Text.ElideRight
                }
                Text {
                    width: parent.width
                    text: row.modelData.name + "  ·  " + Texts.groupName(row.modelData.group)
                    color: Theme.ink
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    elide: Text.ElideRight
                }
            }
        }
    }
}
