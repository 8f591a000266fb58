import QtQuick
import Kiosk

// One expert on duty now: who, from which team and office, until when, and a
// call button — or, when they cannot be called now (away, or no console open), a plain
// "not available" and no button.
Rectangle {
    id: card

    required property var expert
    signal callClicked(int expertId)

    objectName: "expertCard_" + expert.expertId
    implicitHeight: Math.max(details.implicitHeight, action.height) + 2 * Theme.smallGap
    radius: Theme.radius
    color: Theme.surface
    border.width: Theme.border
    border.color: Theme.line

    Rectangle {
        id: avatar
        width: Math.max(48, Theme.px(104))
        height: width
        radius: width / 2
        color: Theme.tag
        anchors.left: parent.left
        anchors.leftMargin: Theme.gap
        anchors.verticalCenter: parent.verticalCenter
        Text {
            anchors.centerIn: parent
            // The surname, as a villager would address them: 张 for 张伟.
            text: card.expert.name.length > 0 ? card.expert.name.charAt(0) : ""
            color: Theme.primary
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontLarge
            font.bold: true
        }
        Accessible.ignored: true
    }

    Column {
        id: details
        anchors.left: avatar.right
        anchors.leftMargin: Theme.gap
        anchors.right: action.left
        anchors.rightMargin: Theme.gap
        anchors.verticalCenter: parent.verticalCenter
        spacing: Math.max(2, Theme.px(8))

        // Name, team and office on one line; the office gives way first.
        Row {
            spacing: Theme.smallGap
            width: parent.width
            Text {
                id: name
                text: card.expert.name
                color: Theme.ink
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
                anchors.verticalCenter: parent.verticalCenter
                elide: Text.ElideRight
                width: Math.min(implicitWidth, parent.width - groupTag.width - parent.spacing)
            }
            Rectangle {
                id: groupTag
                radius: Theme.smallGap
                color: Theme.tag
                width: groupText.implicitWidth + 2 * Theme.smallGap
                height: groupText.implicitHeight + Math.max(2, Theme.px(6))
                anchors.verticalCenter: parent.verticalCenter
                Text {
                    id: groupText
                    anchors.centerIn: parent
                    text: Texts.groupName(card.expert.group)
                    color: Theme.primary
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                }
            }
            Text {
                objectName: "organisationText"
                anchors.verticalCenter: parent.verticalCenter
                width: Math.max(0, parent.width - name.width - groupTag.width - 2 * parent.spacing)
                visible: text !== "" && width > Theme.fontSmall * 3
                text: card.expert.organisation
                color: Theme.inkSoft
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
        }
        Text {
            width: parent.width
            text: qsTr("On duty today %1").arg(Texts.hours(card.expert.start, card.expert.end))
            color: Theme.ink
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            elide: Text.ElideRight
        }
    }

    Item {
        id: action
        anchors.right: parent.right
        anchors.rightMargin: Theme.gap
        anchors.verticalCenter: parent.verticalCenter
        width: card.expert.available ? callButton.implicitWidth : busyTag.width
        height: card.expert.available ? Theme.buttonHeight : busyTag.height

        KioskButton {
            id: callButton
            objectName: "callButton_" + card.expert.expertId
            visible: card.expert.available
            anchors.fill: parent
            tone: "call"
            iconName: "video"
            text: qsTr("Video call")
            onClicked: card.callClicked(card.expert.expertId)
        }
        Rectangle {
            id: busyTag
            objectName: "busyTag_" + card.expert.expertId
            visible: !card.expert.available
            radius: Theme.radius
            color: Theme.busy
            width: busyLabel.implicitWidth + 2 * Theme.gap
            height: busyLabel.implicitHeight + 2 * Theme.smallGap
            Text {
                id: busyLabel
                anchors.centerIn: parent
                text: qsTr("Not available now")
                color: Theme.busyText
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                font.bold: true
            }
        }
    }
}
