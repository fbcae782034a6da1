//! paygent-notices: the payment diff inquiry (差分照会, telegram 091) as a durable sync into a
//! database (`sqlite:`, `postgres://`, `mysql://`). Never linked into the PHP or Perl module.
