import QtQuick
import Kiosk

// The kiosk's one window. Each screen is loaded fresh when it is shown, so
// nothing a resident did stays in QML after the visit moves on. Screens load by
// file, not as inline components: only the start screen is compiled before the
// first frame, which a terminal shows as soon as it can after a power cut.
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

        readonly property string file: {
            switch (window.vm.screen) {
            case "services": return "ServicesScreen.qml"
            case "schedule": return "ScheduleScreen.qml"
            case "call": return "CallScreen.qml"
            case "fallback": return "FallbackScreen.qml"
            case "rating": return "RatingScreen.qml"
            default: return "StartScreen.qml"
            }
        }

        objectName: "screenLoader"
        anchors.fill: parent
        onFileChanged: setSource(file, { vm: window.vm })
        Component.onCompleted: setSource(file, { vm: window.vm })
    }

    // A technician's screen over whatever is shown, made only while open. The idle
    // warning still comes over it: a visit left open behind it is ended as ever.
    Loader {
        objectName: "maintenanceLoader"
        anchors.fill: parent
        z: 50
        active: window.vm.maintenance.open
        onActiveChanged: if (active) setSource("MaintenanceScreen.qml", { vm: window.vm })
    }

    // Made only while it warns: most visits never see it.
    Loader {
        anchors.fill: parent
        z: 100
        active: window.vm.idle.warning
        onActiveChanged: if (active) setSource("IdleOverlay.qml", { idle: window.vm.idle })
    }
}
