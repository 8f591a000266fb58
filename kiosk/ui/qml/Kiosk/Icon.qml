import QtQuick

// An SVG from assets/icons, rendered at its on-screen size so it stays sharp.
Image {
    id: icon
    property string name: ""
    property int size: Theme.iconSmall

    source: name === "" ? "" : Theme.icon(name)
    width: size
    height: size
    sourceSize.width: size
    sourceSize.height: size
    fillMode: Image.PreserveAspectFit
    smooth: true
    asynchronous: false
    Accessible.ignored: true
}
