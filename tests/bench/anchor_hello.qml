import QtQuick

Window {
    width: 1280
    height: 800
    visible: true

    Text {
        anchors.centerIn: parent
        text: "Hello"
        font.pixelSize: 48
    }
}
