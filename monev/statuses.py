"""The statuses a target can have as of a date (decided in SQL by `selectors.targets_with_status`)."""
DONE, REVIEW_NEEDED, WAITING, LATE, REVISE, NOT_DUE = (
    "selesai", "perlu_ditinjau", "menunggu_review", "terlambat", "perlu_perbaikan", "belum_jatuh_tempo")
STATUSES = [DONE, WAITING, LATE, REVISE, NOT_DUE, REVIEW_NEEDED]
STATUS_LABELS = {DONE: "Selesai", WAITING: "Menunggu review", LATE: "Terlambat", REVISE: "Perlu perbaikan",
                 NOT_DUE: "Belum jatuh tempo", REVIEW_NEEDED: "Perlu ditinjau"}
