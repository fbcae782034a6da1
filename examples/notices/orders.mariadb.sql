-- The orders table reader.php and reader.pl update (a shop's real one has more columns).
CREATE TABLE orders (
    order_no          varchar(64) PRIMARY KEY,  -- the trading_id the shop sent to PAYGENT
    amount            bigint NOT NULL,
    payment_status    varchar(2),               -- PAYGENT's status from the last notice applied
    paid_amount       bigint,                   -- payment_amount of that notice
    paygent_notice_id varchar(64),              -- that notice: an older one changes nothing
    updated_at        datetime(6)
) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_bin;
