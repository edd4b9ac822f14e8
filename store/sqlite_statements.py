"""The named reads of store/plan.py compiled for SQLite, for store/quick.py.

Written by `python -m store.bake` from store/plan_statements.py; do not edit. HEAD is the schema
revision they were written for: a database at another revision is read the ordinary way.
"""

# ruff: noqa: E501

HEAD = "0008"
STATEMENTS = {
    "store.plan_statements:ACTIONS_OF_PRIORITY": (
        "SELECT action.id, priority.number, action.number "
        "AS number_1, action.text, action.timescale, "
        "action.original_timescale, action.rag, "
        "action.is_new, action.note, action.closed_at, "
        "action.closed_by, action.closed_reason, "
        "progressupdate.at, progressupdate.text AS text_1, "
        "progressupdate.author, progressupdate.source, "
        "leadrole.name \n"
        "FROM action JOIN priority ON priority.id = "
        "action.priority_id LEFT OUTER JOIN progressupdate "
        "ON progressupdate.id = (SELECT progressupdate.id \n"
        "FROM progressupdate \n"
        "WHERE progressupdate.action_id = action.id AND "
        "progressupdate.retracted_at IS NULL ORDER BY "
        "progressupdate.at DESC, progressupdate.id DESC\n"
        " LIMIT ? OFFSET ?) LEFT OUTER JOIN actionlead ON "
        "actionlead.action_id = action.id LEFT OUTER JOIN "
        "leadrole ON leadrole.id = actionlead.role_id \n"
        "WHERE priority.number = ? ORDER BY "
        "priority.number, action.number, "
        "actionlead.position",
        (("param_1", 1), ("param_2", 0), ("number", None)),
    ),
    "store.plan_statements:ACTION_BY_REF": (
        "SELECT action.id, priority.number, action.number AS "
        "number_1, action.text, action.timescale, "
        "action.original_timescale, action.rag, action.is_new, "
        "action.note, action.closed_at, action.closed_by, "
        "action.closed_reason, progressupdate.at, "
        "progressupdate.text AS text_1, progressupdate.author, "
        "progressupdate.source, leadrole.name \n"
        "FROM action JOIN priority ON priority.id = "
        "action.priority_id LEFT OUTER JOIN progressupdate ON "
        "progressupdate.id = (SELECT progressupdate.id \n"
        "FROM progressupdate \n"
        "WHERE progressupdate.action_id = action.id AND "
        "progressupdate.retracted_at IS NULL ORDER BY "
        "progressupdate.at DESC, progressupdate.id DESC\n"
        " LIMIT ? OFFSET ?) LEFT OUTER JOIN actionlead ON "
        "actionlead.action_id = action.id LEFT OUTER JOIN "
        "leadrole ON leadrole.id = actionlead.role_id \n"
        "WHERE action.ref = ? ORDER BY priority.number, "
        "action.number, actionlead.position",
        (("param_1", 1), ("param_2", 0), ("ref", None)),
    ),
    "store.plan_statements:ACTION_REFS_OF_PRIORITY": (
        "SELECT action.ref \n"
        "FROM action JOIN priority ON priority.id = "
        "action.priority_id \n"
        "WHERE priority.number = ? ORDER BY "
        "action.number",
        (("number", None),),
    ),
    "store.plan_statements:EVERY_ACTION": (
        "SELECT action.id, priority.number, action.number AS "
        "number_1, action.text, action.timescale, "
        "action.original_timescale, action.rag, action.is_new, "
        "action.note, action.closed_at, action.closed_by, "
        "action.closed_reason, progressupdate.at, "
        "progressupdate.text AS text_1, progressupdate.author, "
        "progressupdate.source, leadrole.name \n"
        "FROM action JOIN priority ON priority.id = "
        "action.priority_id LEFT OUTER JOIN progressupdate ON "
        "progressupdate.id = (SELECT progressupdate.id \n"
        "FROM progressupdate \n"
        "WHERE progressupdate.action_id = action.id AND "
        "progressupdate.retracted_at IS NULL ORDER BY "
        "progressupdate.at DESC, progressupdate.id DESC\n"
        " LIMIT ? OFFSET ?) LEFT OUTER JOIN actionlead ON "
        "actionlead.action_id = action.id LEFT OUTER JOIN leadrole "
        "ON leadrole.id = actionlead.role_id ORDER BY "
        "priority.number, action.number, actionlead.position",
        (("param_1", 1), ("param_2", 0)),
    ),
    "store.plan_statements:EVERY_PRIORITY": (
        "SELECT priority.id, priority.number, "
        "priority.ofsted_recommendation, section.title, "
        "priority.recommendation \n"
        "FROM priority JOIN section ON section.id = "
        "priority.section_id ORDER BY priority.number",
        (),
    ),
    "store.plan_statements:HISTORY_OF": (
        "SELECT 0 AS kind, progressupdate.at AS at, "
        "progressupdate.id AS id, progressupdate.text, NULL AS "
        "anon_1, NULL AS anon__1, CAST(NULL AS DATE) AS anon__2, "
        "CAST(NULL AS DATE) AS anon__3, NULL AS anon__4, "
        "progressupdate.author, progressupdate.source, "
        "progressupdate.slack_channel, progressupdate.slack_ts, "
        "progressupdate.retracted_at \n"
        "FROM progressupdate JOIN action ON action.id = "
        "progressupdate.action_id \n"
        "WHERE action.ref = ? UNION ALL SELECT 1 AS kind, "
        "ragchange.at AS at, ragchange.id AS id, NULL AS anon_1, "
        "ragchange.from_rag, ragchange.to_rag, CAST(NULL AS DATE) AS "
        "anon__5, CAST(NULL AS DATE) AS anon__2, ragchange.reason, "
        'ragchange."by", ragchange.via, NULL AS anon__6, NULL AS '
        "anon__4, NULL AS anon__7 \n"
        "FROM ragchange JOIN action ON action.id = "
        "ragchange.action_id \n"
        "WHERE action.ref = ? UNION ALL SELECT 2 AS kind, "
        "timescalechange.at AS at, timescalechange.id AS id, NULL AS "
        "anon_1, NULL AS anon__1, NULL AS anon__8, "
        "timescalechange.from_date, timescalechange.to_date, "
        'timescalechange.reason, timescalechange."by", '
        "timescalechange.via, NULL AS anon__6, NULL AS anon__4, NULL "
        "AS anon__7 \n"
        "FROM timescalechange JOIN action ON action.id = "
        "timescalechange.action_id \n"
        "WHERE action.ref = ? ORDER BY at, kind, id",
        (("ref", None), ("ref", None), ("ref", None)),
    ),
    "store.plan_statements:OFSTED_RECOMMENDATIONS": (
        "SELECT DISTINCT "
        "priority.ofsted_recommendation \n"
        "FROM priority \n"
        "WHERE priority.ofsted_recommendation IS NOT "
        "NULL ORDER BY priority.ofsted_recommendation",
        (),
    ),
    "store.plan_statements:OPEN_ESCALATION_OF": (
        "SELECT escalation.day, escalation.reminders \n"
        "FROM escalation JOIN action ON action.id = "
        "escalation.action_id \n"
        "WHERE action.ref = ? AND escalation.resolved_at IS "
        "NULL ORDER BY escalation.id DESC\n"
        " LIMIT ? OFFSET ?",
        (("ref", None), ("param_1", 1), ("param_2", 0)),
    ),
    "store.plan_statements:PEOPLE_OF": (
        "SELECT rolemember.slack_user_id, rolemember.is_deputy \n"
        "FROM rolemember JOIN actionlead ON actionlead.role_id = "
        "rolemember.role_id JOIN action ON action.id = "
        "actionlead.action_id \n"
        "WHERE action.ref = ? ORDER BY rolemember.id",
        (("ref", None),),
    ),
    "store.plan_statements:PLAN_COUNTS": (
        "SELECT priority.number, priority.ofsted_recommendation, "
        "priority.recommendation, coalesce(anon_2.anon_1, ?) AS "
        "coalesce_1, coalesce(anon_2.anon_3, ?) AS coalesce_3, "
        "coalesce(anon_2.anon_4, ?) AS coalesce_5, "
        "coalesce(anon_2.anon_5, ?) AS coalesce_7, "
        "coalesce(anon_2.anon_6, ?) AS coalesce_9, "
        "coalesce(anon_2.sum_1, ?) AS coalesce_11, "
        "coalesce(anon_2.sum_2, ?) AS coalesce_13, "
        "coalesce(anon_2.anon_7, ?) AS coalesce_15 \n"
        "FROM priority LEFT OUTER JOIN (SELECT anon_8.priority_id "
        "AS priority_id, sum(anon_8.actions) FILTER (WHERE "
        "anon_8.rag = ?) AS anon_1, sum(anon_8.actions) FILTER "
        "(WHERE anon_8.rag = ?) AS anon_3, sum(anon_8.actions) "
        "FILTER (WHERE anon_8.rag = ?) AS anon_4, "
        "sum(anon_8.actions) FILTER (WHERE anon_8.rag = ?) AS "
        "anon_5, sum(anon_8.actions) FILTER (WHERE anon_8.rag = ?) "
        "AS anon_6, sum(anon_8.new_actions) AS sum_1, "
        "sum(anon_8.actions) AS sum_2, sum(anon_8.late) FILTER "
        "(WHERE anon_8.rag != ?) AS anon_7 \n"
        "FROM (SELECT action.priority_id AS priority_id, action.rag "
        "AS rag, count(*) AS actions, sum(CASE WHEN action.is_new "
        "THEN ? ELSE ? END) AS new_actions, sum(CASE WHEN "
        "(action.timescale < ? AND action.closed_at IS NULL) THEN ? "
        "ELSE ? END) AS late \n"
        "FROM action GROUP BY action.priority_id, action.rag) AS "
        "anon_8 GROUP BY anon_8.priority_id) AS anon_2 ON "
        "anon_2.priority_id = priority.id ORDER BY priority.number",
        (
            ("coalesce_2", 0),
            ("coalesce_4", 0),
            ("coalesce_6", 0),
            ("coalesce_8", 0),
            ("coalesce_10", 0),
            ("coalesce_12", 0),
            ("coalesce_14", 0),
            ("coalesce_16", 0),
            ("rag_1", "red"),
            ("rag_2", "amber"),
            ("rag_3", "green"),
            ("rag_4", "completed"),
            ("rag_5", "unrated"),
            ("rag_6", "completed"),
            ("param_1", 1),
            ("param_2", 0),
            ("today", None),
            ("param_3", 1),
            ("param_4", 0),
        ),
    ),
    "store.plan_statements:PLAN_NAME": (
        'SELECT "plan".name \nFROM "plan" ORDER BY "plan".id\n LIMIT ? OFFSET ?',
        (("param_1", 1), ("param_2", 0)),
    ),
    "store.plan_statements:PRIORITIES_FOR_RECOMMENDATION": (
        "SELECT priority.id, priority.number, "
        "priority.ofsted_recommendation, "
        "section.title, priority.recommendation \n"
        "FROM priority JOIN section ON section.id "
        "= priority.section_id \n"
        "WHERE priority.ofsted_recommendation = ? "
        "ORDER BY priority.number",
        (("recommendation", None),),
    ),
    "store.plan_statements:PRIORITY_BY_NUMBER": (
        "SELECT priority.id, priority.number, "
        "priority.ofsted_recommendation, section.title, "
        "priority.recommendation \n"
        "FROM priority JOIN section ON section.id = "
        "priority.section_id \n"
        "WHERE priority.number = ? ORDER BY priority.number",
        (("number", None),),
    ),
    "store.plan_statements:PRIORITY_NUMBERS": (
        "SELECT priority.number \nFROM priority ORDER BY priority.number",
        (),
    ),
    "store.plan_statements:PRIORITY_WITH_MEASURES": (
        "SELECT priority.id, priority.number, "
        "priority.ofsted_recommendation, section.title, "
        "priority.recommendation, measure.kind, "
        "measure.name, measurevalue.value, "
        "measurevalue.recorded_at \n"
        "FROM priority JOIN section ON section.id = "
        "priority.section_id LEFT OUTER JOIN measure ON "
        "measure.priority_id = priority.id LEFT OUTER "
        "JOIN measurevalue ON measurevalue.id = (SELECT "
        "measurevalue.id \n"
        "FROM measurevalue \n"
        "WHERE measurevalue.measure_id = measure.id "
        "ORDER BY measurevalue.recorded_at DESC, "
        "measurevalue.id DESC\n"
        " LIMIT ? OFFSET ?) \n"
        "WHERE priority.number = ? ORDER BY "
        "measure.kind, measure.position",
        (("param_1", 1), ("param_2", 0), ("number", None)),
    ),
    "store.plan_statements:UNDECIDED_OF": (
        "SELECT ragproposal.proposed_rag, "
        "ragproposal.revised_timescale, ragproposal.status, "
        "ragproposal.proposed_by \n"
        "FROM ragproposal JOIN action ON action.id = "
        "ragproposal.action_id \n"
        "WHERE action.ref = ? AND (ragproposal.status = ? OR "
        "ragproposal.status = ?) ORDER BY ragproposal.id",
        (("ref", None), ("status_1", "evidence_pending"), ("status_2", "awaiting_approval")),
    ),
}
