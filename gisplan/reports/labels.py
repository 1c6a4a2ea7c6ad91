"""Ukrainian and English texts of the reports (Ukrainian first)."""

from __future__ import annotations

KIND_TITLES = {
    "quarterly": ("Квартальний звіт про хід виконання програми інформатизації",
                  "Quarterly report on the implementation of the informatization program"),
    "annual": ("Річний звіт про результати виконання програми інформатизації",
               "Annual report on the results of the informatization program"),
}
QUARTER_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV"}

STATUS = {
    "done": ("виконано", "completed"),
    "in_progress": ("виконується", "in progress"),
    "not_started": ("не розпочато", "not started"),
    "no_report": ("звіт виконавця не подано", "no executor's report"),
    "inactive": ("не діє у звітному році", "not active in the year"),
    "carried_over": ("переходить на наступний рік", "carried over to the next year"),
    "unfinished": ("не завершено", "not completed"),
}

SOURCE = {
    "computed": ("обчислено з шарів", "computed from the layers"),
    "entered": ("внесено вручну", "entered"),
    "none": ("немає даних", "no data"),
}
