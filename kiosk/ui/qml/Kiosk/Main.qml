pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Window
import Kiosk

// The kiosk's one window. Each screen is loaded fresh when it is shown, so
// nothing a resident did stays in QML after the visit moves on.
Window {
    id: window

    required property KioskViewModel vm

    width: 1920
    height: 1080
    visible: false
    color: Theme.paper
    title: qsTr("Public legal services")

    Binding { target: Theme; property: "width"; value: window.width }
    Binding { target: Theme; property: "height"; value: window.height }
    Binding { target: Theme; property: "iconBase"; value: window.vm.iconBase }

    Loader {
        id: screen
        objectName: "screenLoader"
        anchors.fill: parent
        sourceComponent: {
            switch (window.vm.screen) {
            case "services": return servicesScreen
            case "schedule": return scheduleScreen
            default: return startScreen
            }
        }
    }

    Component {
        id: startScreen
        StartScreen { vm: window.vm }
    }
    Component {
        id: servicesScreen
        ServicesScreen { vm: window.vm }
    }
    Component {
        id: scheduleScreen
        ScheduleScreen { vm: window.vm }
    }

    IdleOverlay {
        anchors.fill: parent
        idle: window.vm.idle
        z: 100
    }
}
