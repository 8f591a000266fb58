pragma Singleton
import QtQuick

// Words for the codes and numbers the view-models hand over. Kept in one place
// so every screen says a service, a group or a day the same way.
QtObject {
    // The bureau's own names and sentences (kiosk.domain.catalogue); a test keeps them equal.
    readonly property var serviceNames: ({
        "legal_consultation": QT_TRANSLATE_NOOP("Texts", "Legal consultation"),
        "legal_aid": QT_TRANSLATE_NOOP("Texts", "Legal aid"),
        "duty_lawyer": QT_TRANSLATE_NOOP("Texts", "Duty lawyer help"),
        "village_adviser": QT_TRANSLATE_NOOP("Texts", "Village legal adviser"),
        "mediation": QT_TRANSLATE_NOOP("Texts", "People's mediation"),
        "legal_education": QT_TRANSLATE_NOOP("Texts", "Legal education")
    })
    readonly property var serviceSentences: ({
        "legal_consultation": QT_TRANSLATE_NOOP("Texts", "Ask a lawyer about a legal problem, face to face."),
        "legal_aid": QT_TRANSLATE_NOOP("Texts", "Cannot afford a lawyer? Apply for free legal help."),
        "duty_lawyer": QT_TRANSLATE_NOOP("Texts", "The lawyer on duty today helps you now."),
        "village_adviser": QT_TRANSLATE_NOOP("Texts", "Your village's own legal adviser answers you."),
        "mediation": QT_TRANSLATE_NOOP("Texts", "A mediator helps settle a dispute with neighbours or family."),
        "legal_education": QT_TRANSLATE_NOOP("Texts", "Learn about the law in everyday life.")
    })
    // The team a card shows: 律师 / 司法鉴定 / 公证 / 仲裁.
    readonly property var groupNames: ({
        "lawyer": QT_TRANSLATE_NOOP("Texts", "Lawyer"),
        "judicial_appraisal": QT_TRANSLATE_NOOP("Texts", "Judicial appraisal"),
        "notary": QT_TRANSLATE_NOOP("Texts", "Notary"),
        "arbitration": QT_TRANSLATE_NOOP("Texts", "Arbitration")
    })
    // What to call one person of the group in a sentence: "张伟律师", "李娜公证员".
    readonly property var roleTitles: ({
        "lawyer": QT_TRANSLATE_NOOP("Texts", "lawyer"),
        "judicial_appraisal": QT_TRANSLATE_NOOP("Texts", "judicial appraiser"),
        "notary": QT_TRANSLATE_NOOP("Texts", "notary"),
        "arbitration": QT_TRANSLATE_NOOP("Texts", "arbitrator")
    })
    readonly property var weekdays: [
        QT_TRANSLATE_NOOP("Texts", "Monday"), QT_TRANSLATE_NOOP("Texts", "Tuesday"),
        QT_TRANSLATE_NOOP("Texts", "Wednesday"), QT_TRANSLATE_NOOP("Texts", "Thursday"),
        QT_TRANSLATE_NOOP("Texts", "Friday"), QT_TRANSLATE_NOOP("Texts", "Saturday"),
        QT_TRANSLATE_NOOP("Texts", "Sunday")
    ]
    readonly property var months: [
        QT_TRANSLATE_NOOP("Texts", "Jan"), QT_TRANSLATE_NOOP("Texts", "Feb"),
        QT_TRANSLATE_NOOP("Texts", "Mar"), QT_TRANSLATE_NOOP("Texts", "Apr"),
        QT_TRANSLATE_NOOP("Texts", "May"), QT_TRANSLATE_NOOP("Texts", "Jun"),
        QT_TRANSLATE_NOOP("Texts", "Jul"), QT_TRANSLATE_NOOP("Texts", "Aug"),
        QT_TRANSLATE_NOOP("Texts", "Sep"), QT_TRANSLATE_NOOP("Texts", "Oct"),
        QT_TRANSLATE_NOOP("Texts", "Nov"), QT_TRANSLATE_NOOP("Texts", "Dec")
    ]

    // Why nobody is talking to the resident (FallbackViewModel.reason).
    readonly property var fallbackReasons: ({
        "no_answer": QT_TRANSLATE_NOOP("Texts", "The lawyer did not answer this time."),
        "all_busy": QT_TRANSLATE_NOOP("Texts", "Everyone on duty is helping other residents."),
        "nobody_on_duty": QT_TRANSLATE_NOOP("Texts", "No lawyer can take a video call right now."),
        "media_lost": QT_TRANSLATE_NOOP("Texts", "The call was cut off and could not be joined again."),
        "unreachable": QT_TRANSLATE_NOOP("Texts", "The service centre cannot be reached right now."),
        "failed": QT_TRANSLATE_NOOP("Texts", "The call could not be made.")
    })
    // The line while talking, in words (CallViewModel.quality).
    readonly property var qualityWords: ({
        "good": QT_TRANSLATE_NOOP("Texts", "Good signal"),
        "fair": QT_TRANSLATE_NOOP("Texts", "Fair signal"),
        "poor": QT_TRANSLATE_NOOP("Texts", "Weak signal: the voice may break up"),
        "audio_only": QT_TRANSLATE_NOOP("Texts", "Slow network: picture paused, voice goes on")
    })
    // Something that went wrong while the call goes on (CallViewModel.notice).
    readonly property var callNotices: ({
        "camera_failed": QT_TRANSLATE_NOOP("Texts", "The camera stopped working. The lawyer cannot see you, but can still hear you."),
        "microphone_failed": QT_TRANSLATE_NOOP("Texts", "The microphone stopped working. The lawyer cannot hear you, but can still see you."),
        "link_down": QT_TRANSLATE_NOOP("Texts", "The network dropped. Connecting again, please wait…")
    })
    // What is wrong with a typed phone number (FallbackViewModel.problem).
    readonly property var phoneProblems: ({
        "empty": QT_TRANSLATE_NOOP("Texts", "Please type your phone number first."),
        "too_short": QT_TRANSLATE_NOOP("Texts", "Too short: a mobile number has 11 digits."),
        "too_long": QT_TRANSLATE_NOOP("Texts", "Too many digits: please check the number."),
        "bad_start": QT_TRANSLATE_NOOP("Texts", "A mobile number starts with 1, a landline with 0.")
    })
    // The five faces of the rating, 1 (worst) to 5 (best).
    readonly property var faceWords: [
        QT_TRANSLATE_NOOP("Texts", "Very dissatisfied"), QT_TRANSLATE_NOOP("Texts", "Dissatisfied"),
        QT_TRANSLATE_NOOP("Texts", "So-so"), QT_TRANSLATE_NOOP("Texts", "Satisfied"),
        QT_TRANSLATE_NOOP("Texts", "Very satisfied")
    ]

    // What is wrong with the session records, for a technician (MaintenanceViewModel.problems):
    // what happened, what it means for the records, what to do.
    // What is wrong with the session records, for a technician (MaintenanceViewModel.problems):
    // what happened and what to do, short enough for one line on a wide screen.
    readonly property var recordProblems: ({
        "outbox_failed": QT_TRANSLATE_NOOP("Texts", "The record store will not open: restart the kiosk."),
        "unsaved": QT_TRANSLATE_NOOP("Texts", "Records only in memory: a power cut would lose them."),
        "disk_full": QT_TRANSLATE_NOOP("Texts", "Disk full: new records wait in memory. Free disk space."),
        "reserve_used": QT_TRANSLATE_NOOP("Texts", "Disk nearly full: reserve space in use. Free disk space."),
        "write_failed": QT_TRANSLATE_NOOP("Texts", "Cannot write to the disk: records wait in memory."),
        "set_aside": QT_TRANSLATE_NOOP("Texts", "An unreadable record file was set aside, not deleted."),
        "parked": QT_TRANSLATE_NOOP("Texts", "The hub refused records: kept here, resend when fixed."),
        "clock_jumped": QT_TRANSLATE_NOOP("Texts", "The clock jumped: check the date and time.")
    })
    // How the upload of the session records goes (MaintenanceViewModel.uploadState).
    readonly property var uploadStates: ({
        "idle": QT_TRANSLATE_NOOP("Texts", "Nothing to send"),
        "sending": QT_TRANSLATE_NOOP("Texts", "Sending"),
        "waiting": QT_TRANSLATE_NOOP("Texts", "Failed; waiting to try again"),
        "no_link": QT_TRANSLATE_NOOP("Texts", "No link to the hub: not enrolled?")
    })

    function serviceName(code) { return qsTranslate("Texts", serviceNames[code] || "") }
    function serviceSentence(code) { return qsTranslate("Texts", serviceSentences[code] || "") }
    function groupName(code) { return qsTranslate("Texts", groupNames[code] || "") }
    function roleTitle(code) { return qsTranslate("Texts", roleTitles[code] || "") }
    function fallbackReason(code) { return qsTranslate("Texts", fallbackReasons[code] || fallbackReasons["failed"]) }
    function quality(code) { return qsTranslate("Texts", qualityWords[code] || "") }
    function callNotice(code) { return qsTranslate("Texts", callNotices[code] || "") }
    function phoneProblem(code) { return qsTranslate("Texts", phoneProblems[code] || "") }
    function faceWord(score) { return qsTranslate("Texts", faceWords[score - 1] || "") }
    function weekday(n) { return qsTranslate("Texts", weekdays[n - 1] || "") }
    // A code this kiosk does not know yet still reads as a sentence, never as the code.
    function recordProblem(code) {
        return recordProblems[code] ? qsTranslate("Texts", recordProblems[code])
                                    : qsTr("Another problem with the records: see the log.")
    }
    function uploadState(code) { return uploadStates[code] ? qsTranslate("Texts", uploadStates[code]) : code }

    // A length of time for a technician, largest units first: "3 days 4 hours", "12 minutes".
    function span(seconds) {
        var s = Math.max(0, Math.round(seconds))
        if (s < 60)
            return qsTr("%n second(s)", "", s)
        var minutes = Math.floor(s / 60)
        var days = Math.floor(minutes / 1440)
        var hours = Math.floor(minutes % 1440 / 60)
        var rest = minutes % 60
        // Joined by a space in both languages ("3 天 4 小时"); not through "%1 %2", which
        // the day labels translate in their own order.
        if (days > 0)
            return qsTr("%n day(s)", "", days) + (hours > 0 ? " " + qsTr("%n hour(s)", "", hours) : "")
        if (hours > 0)
            return qsTr("%n hour(s)", "", hours) + (rest > 0 ? " " + qsTr("%n minute(s)", "", rest) : "")
        return qsTr("%n minute(s)", "", minutes)
    }

    // How long the oldest record has waited; -1 when none waits.
    function waited(minutes) {
        if (minutes < 0)
            return qsTr("None")
        return minutes < 1 ? qsTr("Less than a minute") : span(minutes * 60)
    }

    //: A date without the year. %1 is the month ("Nov" / "11月"), %2 the day of the month.
    function monthDay(month, day) {
        return qsTr("%2 %1").arg(qsTranslate("Texts", months[month - 1] || "")).arg(day)
    }

    //: A full date on the start screen: %1 weekday, %2 month, %3 day, %4 year.
    function fullDate(d) {
        return qsTr("%1, %3 %2 %4").arg(weekday(d.weekday))
            .arg(qsTranslate("Texts", months[d.month - 1] || "")).arg(d.day).arg(d.year)
    }

    // "Today", "Tomorrow", or "Wednesday 26 Nov" for the days after.
    function dayLabel(offset, weekdayNumber, month, day) {
        if (offset === 0)
            return qsTr("Today")
        if (offset === 1)
            return qsTr("Tomorrow")
        //: %1 weekday, %2 date such as "26 Nov"
        return qsTr("%1 %2").arg(weekday(weekdayNumber)).arg(monthDay(month, day))
    }

    //: Working hours, %1 start and %2 end, e.g. 08:30–12:00.
    function hours(start, end) { return qsTr("%1–%2").arg(start).arg(end) }

    //: One person with their role, e.g. "Zhang Wei (lawyer)" / "张伟律师".
    function personWithRole(name, group) {
        return qsTr("%1 (%2)").arg(name).arg(roleTitle(group))
    }
}
