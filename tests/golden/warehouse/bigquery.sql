SELECT
  `t13`.`model`,
  `t13`.`timestamp`,
  `t13`.`input`,
  `t13`.`cached`,
  `t13`.`cache_write`,
  `t13`.`cache_write_1h`,
  `t13`.`output`,
  `t13`.`batch`,
  `t8`.`_p_model` AS `priced_model`,
  `t8`.`_p_provider` AS `priced_provider`,
  `t8`.`_p_tier` AS `priced_tier`,
  `t8`.`_p_catalog_version` AS `catalog_version`,
  `t8`.`_p_kind` AS `price_kind`,
  `t8`.`_p_window` AS `price_window`,
  CAST((
    (
      `t13`.`input` - `t13`.`_cached`
    ) - `t13`.`_write`
  ) - `t13`.`_write_1h` AS NUMERIC) * CAST(`t8`.`_p_input_e12` AS NUMERIC) AS `cost_input_e18`,
  CAST(`t13`.`_cached` AS NUMERIC) * CAST(`t8`.`_p_cache_read_e12` AS NUMERIC) AS `cost_cache_read_e18`,
  (
    CAST(`t13`.`_write` AS NUMERIC) * CAST(`t8`.`_p_cache_write_e12` AS NUMERIC)
  ) + (
    CAST(`t13`.`_write_1h` AS NUMERIC) * CAST(`t8`.`_p_cache_write_1h_e12` AS NUMERIC)
  ) AS `cost_cache_write_e18`,
  CAST(`t13`.`output` AS NUMERIC) * CAST(`t8`.`_p_output_e12` AS NUMERIC) AS `cost_output_e18`,
  (
    CAST((
      (
        `t13`.`input` - `t13`.`_cached`
      ) - `t13`.`_write`
    ) - `t13`.`_write_1h` AS NUMERIC) * CAST(`t8`.`_p_input_e12` AS NUMERIC)
  ) + (
    CAST(`t13`.`_cached` AS NUMERIC) * CAST(`t8`.`_p_cache_read_e12` AS NUMERIC)
  ) + (
    (
      CAST(`t13`.`_write` AS NUMERIC) * CAST(`t8`.`_p_cache_write_e12` AS NUMERIC)
    ) + (
      CAST(`t13`.`_write_1h` AS NUMERIC) * CAST(`t8`.`_p_cache_write_1h_e12` AS NUMERIC)
    )
  ) + (
    CAST(`t13`.`output` AS NUMERIC) * CAST(`t8`.`_p_output_e12` AS NUMERIC)
  ) AS `cost_e18`
FROM (
  SELECT
    `t10`.`model`,
    `t10`.`timestamp`,
    `t10`.`input`,
    `t10`.`cached`,
    `t10`.`cache_write`,
    `t10`.`cache_write_1h`,
    `t10`.`output`,
    `t10`.`batch`,
    `t10`.`_s`,
    `t10`.`_week`,
    `t10`.`_tier`,
    `t10`.`_cached`,
    `t10`.`_write`,
    `t10`.`_write_1h`,
    COALESCE(`t6`.`_model`, `t7`.`_fmodel`) AS `_model`,
    COALESCE(`t6`.`_provider`, `t7`.`_fprovider`) AS `_provider`
  FROM (
    SELECT
      `t1`.`model`,
      `t1`.`timestamp`,
      `t1`.`input`,
      `t1`.`cached`,
      `t1`.`cache_write`,
      `t1`.`cache_write_1h`,
      `t1`.`output`,
      `t1`.`batch`,
      `t1`.`timestamp` AS `_s`,
      MOD(`t1`.`timestamp` + 259200, 604800) AS `_week`,
      IF(COALESCE(`t1`.`batch`, FALSE), 'batch', 'standard') AS `_tier`,
      COALESCE(`t1`.`cached`, 0) AS `_cached`,
      COALESCE(`t1`.`cache_write`, 0) AS `_write`,
      COALESCE(`t1`.`cache_write_1h`, 0) AS `_write_1h`
    FROM `logs`.`usage` AS `t1`
  ) AS `t10`
  LEFT OUTER JOIN (
    SELECT
      `t2`.`name` AS `_name`,
      `t2`.`model` AS `_model`,
      `t2`.`provider` AS `_provider`
    FROM `logs`.`llmcost_names` AS `t2`
  ) AS `t6`
    ON `t10`.`model` = `t6`.`_name`
  LEFT OUTER JOIN (
    SELECT
      `t2`.`name` AS `_fname`,
      `t2`.`model` AS `_fmodel`,
      `t2`.`provider` AS `_fprovider`
    FROM `logs`.`llmcost_names` AS `t2`
  ) AS `t7`
    ON `t6`.`_model` IS NULL
    AND REPLACE(
      REPLACE(REPLACE(LOWER(TRIM(`t10`.`model`, ' \t\n\r\v\f')), '.', '-'), '_', '-'),
      ' ',
      '-'
    ) = `t7`.`_fname`
) AS `t13`
LEFT OUTER JOIN (
  SELECT
    `t0`.`catalog_version` AS `_p_catalog_version`,
    `t0`.`model` AS `_p_model`,
    `t0`.`provider` AS `_p_provider`,
    `t0`.`tier` AS `_p_tier`,
    `t0`.`valid_from_s` AS `_p_valid_from_s`,
    `t0`.`valid_until_s` AS `_p_valid_until_s`,
    `t0`.`week_from_s` AS `_p_week_from_s`,
    `t0`.`week_until_s` AS `_p_week_until_s`,
    `t0`.`prompt_above` AS `_p_prompt_above`,
    `t0`.`prompt_upto` AS `_p_prompt_upto`,
    `t0`.`input_e12` AS `_p_input_e12`,
    `t0`.`cache_read_e12` AS `_p_cache_read_e12`,
    `t0`.`cache_write_e12` AS `_p_cache_write_e12`,
    `t0`.`cache_write_1h_e12` AS `_p_cache_write_1h_e12`,
    `t0`.`output_e12` AS `_p_output_e12`,
    `t0`.`context_window` AS `_p_context_window`,
    `t0`.`max_output` AS `_p_max_output`,
    `t0`.`kind` AS `_p_kind`,
    `t0`.`window` AS `_p_window`
  FROM `logs`.`llmcost_prices` AS `t0`
  WHERE
    `t0`.`currency` = 'USD'
) AS `t8`
  ON `t13`.`_model` = `t8`.`_p_model`
  AND `t13`.`_provider` = `t8`.`_p_provider`
  AND `t13`.`_tier` = `t8`.`_p_tier`
  AND `t13`.`_s` >= `t8`.`_p_valid_from_s`
  AND `t13`.`_s` < `t8`.`_p_valid_until_s`
  AND `t13`.`_week` >= `t8`.`_p_week_from_s`
  AND `t13`.`_week` < `t8`.`_p_week_until_s`
  AND `t13`.`input` > `t8`.`_p_prompt_above`
  AND `t13`.`input` <= `t8`.`_p_prompt_upto`
  AND `t13`.`input` <= `t8`.`_p_context_window`
  AND `t13`.`output` <= `t8`.`_p_max_output`
  AND `t13`.`output` >= 0
  AND `t13`.`_cached` >= 0
  AND `t13`.`_write` >= 0
  AND `t13`.`_write_1h` >= 0
  AND (
    `t13`.`_cached` + `t13`.`_write` + `t13`.`_write_1h`
  ) <= `t13`.`input`;
