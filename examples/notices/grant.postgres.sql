-- What the reader's database user may do, and nothing more: read the notices, mark them
-- processed, update the payment columns of orders. Run as the owner of the tables (the user
-- `paygent notices init` ran as), in the shop's database, after creating the user:
--   CREATE ROLE shop_reader LOGIN PASSWORD '…';
GRANT SELECT, UPDATE (processed_at, process_error) ON paygent_notices TO shop_reader;
GRANT SELECT, UPDATE (payment_status, paid_amount, paygent_notice_id, updated_at) ON orders TO shop_reader;
