-- monthly_no_receipt.sql - donations up to the month's end that have no
-- receipt number yet.  Public: an individual donor is not named.
SELECT d.date, d.donation_id,
       CASE WHEN :audience = 'public' AND d.donor_type = 'individual'
            THEN CASE :lang WHEN 'en' THEN 'Individual donor' ELSE '个人捐赠者' END
            ELSE d.donor END AS donor,
       d.amount_fen AS amount,
       coalesce(d.restricted_to, CASE :lang WHEN 'en' THEN 'Unrestricted' ELSE '非定向' END) AS fund
  FROM donations d
 WHERE d.date <= :to AND (d.receipt_no IS NULL OR trim(d.receipt_no) = '')
 ORDER BY d.date, d.donation_id;
