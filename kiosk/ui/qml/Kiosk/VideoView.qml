import QtQuick
import QtMultimedia
import Kiosk

// One side's picture in a call. Drawn on the GPU: QtMultimedia's VideoOutput,
// which takes the decoded YUV as it is. Drawn by the CPU (Qt Quick's software
// renderer, kiosk/ui/rendering.py), which shows no VideoOutput: the kiosk's own
// FramePicture. `target` is what the call's VideoFeed fills: the sink or the picture.
Item {
    id: view

    required property bool software
    property bool crop: false
    property bool mirrored: false
    readonly property QtObject target: loader.item === null ? null
            : view.software ? loader.item : (loader.item as VideoOutput).videoSink
    // Where the picture lies inside this item.
    readonly property rect contentRect: loader.item === null ? Qt.rect(0, 0, 0, 0)
            : loader.item.contentRect

    Loader {
        id: loader
        anchors.fill: parent
        sourceComponent: view.software ? picture : output
    }

    Component {
        id: picture
        FramePicture {
            scene: view.Window.window
            crop: view.crop
            mirrored: view.mirrored
        }
    }

    Component {
        id: output
        VideoOutput {
            id: video
            fillMode: view.crop ? VideoOutput.PreserveAspectCrop : VideoOutput.PreserveAspectFit
            // Mirrored, as people expect to see themselves.
            transform: Scale { origin.x: video.width / 2; xScale: view.mirrored ? -1 : 1 }
        }
    }
}
