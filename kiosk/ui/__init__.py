"""The kiosk's Qt Quick UI: view-models (QObject), QML screens, and the asyncio bridge.

This is the only package that imports Qt. Importing it stays cheap: the Qt
modules load when `kiosk.ui.app` is imported, which the `kiosk run` command
does only once it knows it will open a window.
"""
