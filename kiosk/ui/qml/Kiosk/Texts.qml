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

    function serviceName(code) { return qsTranslate("Texts", serviceNames[code] || "") }
    function serviceSentence(code) { return qsTranslate("Texts", serviceSentences[code] || "") }
    function groupName(code) { return qsTranslate("Texts", groupNames[code] || "") }
    function roleTitle(code) { return qsTranslate("Texts", roleTitles[code] || "") }
    function weekday(n) { return qsTranslate("Texts", weekdays[n - 1] || "") }

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
