import QtQuick

// Wrapped text that breaks where a reader would. Chinese wraps between any two
// characters, so plain wrapping leaves "师。" alone on a line or splits "免费"
// across two; an elderly reader takes those for separate words. Two lines are
// split at the punctuation nearest the middle when there is one, otherwise
// into lines of about equal length.
Text {
    id: balanced

    property string content: ""
    property real maxWidth: 100

    readonly property int splitAt: findSplit(content)
    readonly property string firstPart: splitAt > 0 ? content.slice(0, splitAt).trim() : content
    readonly property string secondPart: splitAt > 0 ? content.slice(splitAt).trim() : ""
    readonly property bool oneLine: whole.advanceWidth <= maxWidth
    readonly property bool splitFits: !oneLine && splitAt > 0
        && first.advanceWidth <= maxWidth && second.advanceWidth <= maxWidth
    readonly property int evenLines: Math.max(1, Math.ceil(whole.advanceWidth / Math.max(1, maxWidth)))

    function findSplit(s) {
        var best = -1
        var bestDistance = s.length
        for (var i = 0; i < s.length - 1; ++i) {
            // A full stop ends a sentence only before a space: not in "3.5" or "www.gov.cn".
            var stop = s[i] === "。" || (s[i] === "." && s[i + 1] === " ")
            if (!stop && "，、；：？！,;:?!".indexOf(s[i]) < 0)
                continue
            var at = i + 1
            var distance = Math.abs(at - s.length / 2)
            if (at >= s.length * 0.25 && at <= s.length * 0.75 && distance < bestDistance) {
                best = at
                bestDistance = distance
            }
        }
        return best
    }

    text: splitFits ? firstPart + "\n" + secondPart : content
    width: oneLine ? Math.ceil(whole.advanceWidth) + 2
         : splitFits ? Math.ceil(Math.max(first.advanceWidth, second.advanceWidth)) + 2
         : Math.min(maxWidth, Math.ceil(whole.advanceWidth / evenLines) + 2 * font.pixelSize)
    wrapMode: Text.Wrap
    font.family: Theme.fontFamily

    TextMetrics { id: whole; font: balanced.font; text: balanced.content }
    // Measured only when the whole does not fit: most texts are one line.
    TextMetrics { id: first; font: balanced.font; text: balanced.oneLine ? "" : balanced.firstPart }
    TextMetrics { id: second; font: balanced.font; text: balanced.oneLine ? "" : balanced.secondPart }
}
