pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

// Digits the way a telephone lays them out, 1–9 then 0, with an erase key: the
// only way to type on this kiosk. Keys are half as big again as other buttons.
// Each key's place is a binding, not a Grid's: a Grid places its items only when
// the next frame is made, and a finger (or a test) may come sooner.
Item {
    id: keypad

    property real keyHeight: Theme.keyMin
    property real spacing: Theme.smallGap
    readonly property real keyWidth: (width - 2 * spacing) / 3

    signal digit(string key)
    signal erase()

    implicitHeight: 4 * keyHeight + 3 * spacing

    Repeater {
        // "" leaves the bottom-left place empty, as on a telephone.
        model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", "erase"]
        KeypadKey {
            required property string modelData
            required property int index
            readonly property bool eraser: modelData === "erase"
            visible: modelData !== ""
            objectName: eraser ? "keyErase" : "key" + modelData
            x: (index % 3) * (keypad.keyWidth + keypad.spacing)
            y: Math.floor(index / 3) * (keypad.keyHeight + keypad.spacing)
            width: keypad.keyWidth
            height: keypad.keyHeight
            iconName: eraser ? "erase" : ""
            text: eraser ? qsTr("Erase") : modelData
            onClicked: eraser ? keypad.erase() : keypad.digit(modelData)
        }
    }
}
