"""Grading: read students' answers, score them against key.json, name the mistake behind each wrong one.

    readers/   responses files: plain CSV, Moodle "Responses", Canvas "Student Analysis", JSON lines
    mapping    which column answers which question (by id, by order, --map)
    parse      the safe answer parser (numbers, arithmetic, shapes, formulas, choices)
    answers    multi-part answers, sets of values, rounding precision, formula fingerprints
    score      one answer -> AnswerGrade (verdict, score, diagnosis); cells: summary tables; formulas
    engine     rows -> students (matching, duplicates, problems) -> GradingResult
    tables     grades.csv, feedback.csv, problems.csv, Moodle and Canvas grade imports
    feedback   per-student pages; report: report.html; charts: its SVG; pagewriter: the page helper process
    write      every output, atomically (the CLI calls grade_and_write)
"""
