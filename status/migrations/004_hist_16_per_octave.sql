-- Package histogram went from 4 buckets per octave (79 buckets) to 16 (310)
-- with the same base, so old bucket i has the upper bound of new bucket 4i;
-- the old overflow bucket 78 becomes the new one, 309.
UPDATE status_minutes SET hist = (
	SELECT json_group_array(json_array(
		CASE WHEN json_extract(value, '$[0]') >= 78 THEN 309 ELSE json_extract(value, '$[0]') * 4 END,
		json_extract(value, '$[1]')))
	FROM json_each(status_minutes.hist))
WHERE hist NOT IN ('', '[]');
UPDATE status_days SET hist = (
	SELECT json_group_array(json_array(
		CASE WHEN json_extract(value, '$[0]') >= 78 THEN 309 ELSE json_extract(value, '$[0]') * 4 END,
		json_extract(value, '$[1]')))
	FROM json_each(status_days.hist))
WHERE hist NOT IN ('', '[]');
