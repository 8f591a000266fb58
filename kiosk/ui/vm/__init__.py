"""One view-model per screen, plus the root and the idle watch.

Importing a module registers its types with QML (module `Kiosk`), so
`kiosk.ui.app` imports them all before it loads `Main.qml`.
"""
