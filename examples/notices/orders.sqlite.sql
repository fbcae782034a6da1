-- The orders table reader.php and reader.pl update (a shop's real one has more columns).
CREATE TABLE orders (
    order_no          text PRIMARY KEY,  -- the trading_id the shop sent to PAYGENT
    amount            integer NOT NULL,
    payment_status    text,              -- PAYGENT's status from the last notice applied
    paid_amount       integer,           -- payment_amount of that notice
    paygent_notice_id text,              -- that notice: an older one changes nothing
    updated_at        text               -- ISO-8601 UTC, as paygent writes its times
);
