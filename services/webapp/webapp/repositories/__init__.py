"""The SQL, one module per table or two: functions over a psycopg connection, no rules."""
