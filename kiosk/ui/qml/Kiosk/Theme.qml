pragma Singleton
import QtQuick

// Sizes follow the window (1024×600 up to 1920×1080, either orientation) with
// floors that keep text readable and touch targets at least 48 px on the small
// screens; colour pairs meet WCAG AAA (7:1) and are checked by a test.
QtObject {
    id: theme

    property real width: 1920
    property real height: 1080
    property string iconBase: ""

    readonly property bool portrait: height > width
    // 1.0 at 1920×1080 landscape and 1080×1920 portrait.
    readonly property real k: portrait ? Math.min(width / 1080, height / 1920)
                                       : Math.min(width / 1920, height / 1080)
    readonly property bool compact: k < 0.75

    function px(value) { return Math.round(value * k) }
    // Where the next item of a stack goes: under `item` and `gap` below it, or in its
    // place when it is hidden. Bindings, unlike Column, place items at once, before
    // the next frame, so a tap on a screen just shown lands on what it is aimed at.
    function below(item, gap) { return item.visible ? item.y + item.height + gap : item.y }
    // Empty until Main has passed the icon folder in, so nothing loads from a wrong place.
    function icon(name) { return iconBase === "" ? "" : iconBase + name + ".svg" }

    readonly property string fontFamily: "Noto Sans CJK SC"

    // Colours: text first, then the ground it sits on.
    readonly property color paper: "#F4F1EA"
    readonly property color surface: "#FFFFFF"
    readonly property color ink: "#1A1A1A"
    readonly property color inkSoft: "#3A3A3A"
    readonly property color primary: "#0B3A75"
    readonly property color primaryPressed: "#072A57"
    readonly property color primaryText: "#FFFFFF"
    readonly property color primaryTextSoft: "#D6E4F5"
    readonly property color call: "#085A2F"
    readonly property color callPressed: "#053F20"
    readonly property color callText: "#FFFFFF"
    readonly property color hotline: "#8E1B1B"
    readonly property color notice: "#FFF1D6"
    readonly property color noticeBorder: "#8A5A00"
    readonly property color tag: "#E8EEF7"
    readonly property color busy: "#E6E6E6"
    readonly property color busyText: "#2B2B2B"
    readonly property color available: "#E3F1E8"
    readonly property color availableText: "#085A2F"
    readonly property color line: "#8C96A3"
    readonly property color pressedSurface: "#E8EEF7"
    readonly property color scrim: "#D9000000"
    // The call: red for ending it, a dark stage the lawyer's picture sits on.
    readonly property color danger: "#A4161A"
    readonly property color dangerPressed: "#7A0F12"
    readonly property color dangerText: "#FFFFFF"
    readonly property color noticePressed: "#F8E6C4"
    readonly property color stage: "#14181D"
    readonly property color stageText: "#FFFFFF"
    readonly property color stageTextSoft: "#C9D1DB"
    readonly property color videoGround: "#000000"
    // The technician's cue by the clock: amber that stands out on the navy bar (6.4:1)
    // without the alarm of red, which residents would read as "out of order".
    readonly property color mark: "#FFB81C"

    // Every text colour on the background it is used on; tests check 7:1 for each.
    readonly property var textPairs: [
        ["ink", "paper"], ["ink", "surface"], ["inkSoft", "paper"], ["inkSoft", "surface"],
        ["primary", "paper"], ["primary", "surface"], ["primary", "tag"],
        ["primary", "pressedSurface"], ["ink", "pressedSurface"], ["inkSoft", "pressedSurface"],
        ["primaryText", "primary"], ["primaryTextSoft", "primary"], ["primaryText", "primaryPressed"],
        ["callText", "call"], ["callText", "callPressed"],
        ["hotline", "paper"], ["hotline", "surface"], ["hotline", "notice"],
        ["ink", "notice"], ["busyText", "busy"], ["availableText", "available"],
        ["dangerText", "danger"], ["dangerText", "dangerPressed"],
        ["hotline", "noticePressed"], ["ink", "noticePressed"],
        ["stageText", "stage"], ["stageTextSoft", "stage"], ["primaryText", "stage"],
        ["stageText", "videoGround"]
    ]

    // Spacing
    readonly property int margin: Math.max(14, px(44))
    readonly property int gap: Math.max(10, px(28))
    readonly property int smallGap: Math.max(6, px(14))
    readonly property int radius: Math.max(8, px(22))
    readonly property int border: Math.max(2, px(3))

    // Type: body text is 34 px at 1080p (≥ 24 asked), never under 19 px.
    readonly property int fontSmall: Math.max(18, px(30))
    readonly property int fontBody: Math.max(19, px(34))
    readonly property int fontLarge: Math.max(22, px(44))
    readonly property int fontTitle: Math.max(27, px(60))
    readonly property int fontHuge: Math.max(40, px(110))

    // Touch: at least 88 px at 1080p (≥ 9 mm on a 21.5" panel), never under 48 px.
    readonly property int touchMin: Math.max(48, px(88))
    readonly property int buttonHeight: Math.max(56, px(108))
    readonly property int barHeight: Math.max(60, px(124))
    readonly property int iconSmall: Math.max(24, px(44))
    readonly property int iconLarge: Math.max(44, px(128))
    // The callback keypad: keys half as big again as any other button.
    readonly property int keyMin: Math.round(1.5 * touchMin)
}
