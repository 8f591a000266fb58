import QtQuick

// What a button of this kiosk needs, and no more: a pressed look, a click when
// the finger lifts inside, and an accessible role. Built on MouseArea rather than
// QtQuick.Templates, whose plugin alone costs a weak terminal's cold start ~8 ms.
// Items declared in a derived type draw above the MouseArea and let taps through.
Item {
    id: button

    property string text: ""
    readonly property bool down: area.containsPress

    signal clicked()

    Accessible.role: Accessible.Button
    Accessible.name: text
    Accessible.onPressAction: button.clicked()

    MouseArea {
        id: area
        anchors.fill: parent
        onClicked: button.clicked()
    }
}
