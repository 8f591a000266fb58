<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>CallScreen</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/Kiosk/CallScreen.qml" line="+295"/>
        <source>%n resident(s) ahead of you.</source>
        <translation>
            <numerusform>%n person is ahead of you.</numerusform>
            <numerusform>%n people are ahead of you.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+16"/>
        <source>About %n minute(s) to wait.</source>
        <translation>
            <numerusform>About %n minute to wait.</numerusform>
            <numerusform>About %n minutes to wait.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/Kiosk/IdleOverlay.qml" line="+71"/>
        <source>Otherwise we go back to the start in %n second(s), and what you chose is cleared.</source>
        <translation>
            <numerusform>Otherwise we go back to the start in %n second, and what you chose is cleared.</numerusform>
            <numerusform>Otherwise we go back to the start in %n seconds, and what you chose is cleared.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/Kiosk/MaintenanceScreen.qml" line="+25"/>
        <source>%n event(s) not on the disk yet</source>
        <translation>
            <numerusform>%n event not on the disk yet</numerusform>
            <numerusform>%n events not on the disk yet</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n event(s) refused</source>
        <translation>
            <numerusform>%n event refused</numerusform>
            <numerusform>%n events refused</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+150"/>
        <location line="+27"/>
        <source>%n event(s)</source>
        <translation>
            <numerusform>%n event</numerusform>
            <numerusform>%n events</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="-22"/>
        <source>%n consultation(s)</source>
        <translation>
            <numerusform>%n consultation</numerusform>
            <numerusform>%n consultations</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NoticeBanner</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/Kiosk/NoticeBanner.qml" line="+40"/>
        <source>No connection right now; this list was updated %n minute(s) ago.</source>
        <translation>
            <numerusform>No connection right now; this list was updated %n minute ago.</numerusform>
            <numerusform>No connection right now; this list was updated %n minutes ago.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ScheduleScreen</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/Kiosk/ScheduleScreen.qml" line="+187"/>
        <source>%n more on duty.</source>
        <translation>
            <numerusform>%n more person is on duty.</numerusform>
            <numerusform>%n more people are on duty.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/Kiosk/Texts.qml" line="+132"/>
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n second</numerusform>
            <numerusform>%n seconds</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <location line="+2"/>
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n hour</numerusform>
            <numerusform>%n hours</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <location line="+1"/>
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minute</numerusform>
            <numerusform>%n minutes</numerusform>
        </translation>
    </message>
</context>
</TS>
