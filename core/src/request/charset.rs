//! Character sets: the V3 UTF-8 kinds (§4.7) and the opt-in caller encoding (decisions.md 13).

/// What to do with the reply body before parsing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReplyCharset {
    /// Leave the bytes as received (normal telegrams).
    #[default]
    Raw,
    /// UTF-8 reply → Windows-31J (V3 kind with `setEncoding("Shift_JIS")`).
    Utf8ToCp932,
    /// UTF-8 reply → EUC-JP (V3 kind with `setEncoding("EUC-JP")`).
    Utf8ToEucJp,
    /// Windows-31J reply → UTF-8 (caller_encoding=UTF-8, normal kinds).
    Cp932ToUtf8,
    /// Windows-31J reply → EUC-JP (caller_encoding=EUC-JP, normal kinds).
    Cp932ToEucJp,
}

/// Convert a reply body as `how` says.
pub fn convert_reply(body: Vec<u8>, how: ReplyCharset) -> Vec<u8> {
    let _ = how;
    todo!("request helper: {}", body.len())
}
