import QtQuick
import Kiosk

// The navy bar on every screen: way back on the left, time and language on the right.
Rectangle {
    id: bar

    required property KioskViewModel vm
    property bool navigation: true
    // The technicians' way in, on the start screen only: no resident is in a visit there,
    // and a resident resting a finger on the clock mid-visit must not land in it.
    property bool maintenanceWay: false

    implicitHeight: Theme.barHeight
    color: Theme.primary

    // Not made at all on the start screen, which has nowhere to go back to.
    Loader {
        anchors.left: parent.left
        anchors.leftMargin: Theme.margin
        anchors.verticalCenter: parent.verticalCenter
        active: bar.navigation
        sourceComponent: Row {
            spacing: Theme.gap

            KioskButton {
                objectName: "backButton"
                tone: "light"
                iconName: "back"
                text: qsTr("Back")
                height: Theme.touchMin
                onClicked: bar.vm.back()
            }
            KioskButton {
                objectName: "homeButton"
                tone: "light"
                iconName: "home"
                text: qsTr("Home")
                height: Theme.touchMin
                onClicked: bar.vm.home()
            }
        }
    }

    Text {
        objectName: "bureauText"
        visible: !bar.navigation
        anchors.left: parent.left
        anchors.leftMargin: Theme.margin
        anchors.right: rightSide.left
        anchors.rightMargin: Theme.gap
        anchors.verticalCenter: parent.verticalCenter
        text: bar.vm.start.bureauName !== "" ? bar.vm.start.bureauName
                                             : qsTr("Public legal services")
        color: Theme.primaryText
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontLarge
        font.bold: true
        elide: Text.ElideRight
    }

    Row {
        id: rightSide
        anchors.right: parent.right
        anchors.rightMargin: Theme.margin
        anchors.verticalCenter: parent.verticalCenter
        spacing: Theme.gap

        // Residents need not notice it; a passing technician knows to hold the clock.
        Rectangle {
            objectName: "maintenanceMark"
            visible: bar.maintenanceWay && bar.vm.maintenance.attention
            anchors.verticalCenter: parent.verticalCenter
            width: Math.max(10, Theme.px(18))
            height: width
            radius: width / 2
            color: Theme.mark
            Accessible.ignored: true
        }
        Text {
            id: clock
            objectName: "clockText"
            anchors.verticalCenter: parent.verticalCenter
            text: bar.vm.timeText
            color: Theme.primaryText
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontLarge
            font.bold: true
            Accessible.name: qsTr("Time: %1").arg(text)

            // Five seconds, so that no resident gets there by tapping or leaning on it.
            TapHandler {
                objectName: "maintenanceHold"
                enabled: bar.maintenanceWay
                longPressThreshold: 5
                // A finger held that long wobbles: only leaving the clock cancels.
                gesturePolicy: TapHandler.WithinBounds
                // As tall as a button to aim at, and still short of the language button.
                margin: Math.min(rightSide.spacing / 2,
                                 Math.max(0, (Theme.touchMin - clock.height) / 2))
                onLongPressed: bar.vm.maintenance.openScreen()
            }
        }
        KioskButton {
            objectName: "languageButton"
            tone: "light"
            iconName: "globe"
            // Each language is named in itself, so a reader of either can find it.
            text: bar.vm.language === "zh_CN" ? "English" : "中文"
            height: Theme.touchMin
            onClicked: bar.vm.toggleLanguage()
        }
    }
}
