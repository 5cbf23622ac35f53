//! Websocket close codes of our own (4000–4999), shared so that the server sends and the app
//! translates the same numbers. A close reason holds at most 123 bytes, so the app shows its own
//! translated text for the code and uses the reason only for logs.

/// Why the server closed a sync connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseCode {
    /// A frame could not be decoded as y-websocket messages (malformed or truncated).
    MalformedMessage,
    /// A sync update decoded but could not be applied to the document.
    RejectedUpdate,
    /// A frame was larger than the server's `--max-message-bytes`.
    MessageTooLarge,
    /// A text frame, or a message type the server does not accept.
    UnsupportedMessage,
    /// The client did not read its messages fast enough and fell too far behind.
    TooSlow,
    /// The server could not store an update; nothing was relayed, reconnect later.
    StorageFailed,
    /// The server is shutting down; reconnect later.
    ShuttingDown,
    /// Something went wrong inside the server; reconnect.
    Internal,
    /// The link's token is missing, wrong, expired or revoked.
    LinkInvalid,
    /// The link only fills in forms; it may not open the document itself.
    RespondentOnly,
    /// The owner deleted the document.
    DocumentDeleted,
    /// An update would make the document larger than the server's limit.
    DocumentTooLarge,
    /// Too many wrong tokens came from this address; wait a minute.
    TooManyAttempts,
    /// The server is past its capacity for new connections; the reason says after how many
    /// seconds to try again (see [`busy_reason`] and [`retry_after_secs`]).
    Busy,
}

impl CloseCode {
    /// Every code, for documentation and tests.
    pub const ALL: [CloseCode; 14] = [
        CloseCode::MalformedMessage,
        CloseCode::RejectedUpdate,
        CloseCode::MessageTooLarge,
        CloseCode::UnsupportedMessage,
        CloseCode::TooSlow,
        CloseCode::StorageFailed,
        CloseCode::ShuttingDown,
        CloseCode::Internal,
        CloseCode::LinkInvalid,
        CloseCode::RespondentOnly,
        CloseCode::DocumentDeleted,
        CloseCode::DocumentTooLarge,
        CloseCode::TooManyAttempts,
        CloseCode::Busy,
    ];

    /// The number sent in the close frame.
    pub fn code(self) -> u16 {
        match self {
            CloseCode::MalformedMessage => 4000,
            CloseCode::RejectedUpdate => 4001,
            CloseCode::MessageTooLarge => 4002,
            CloseCode::UnsupportedMessage => 4003,
            CloseCode::TooSlow => 4008,
            CloseCode::StorageFailed => 4500,
            CloseCode::ShuttingDown => 4503,
            CloseCode::Internal => 4501,
            CloseCode::LinkInvalid => 4401,
            CloseCode::RespondentOnly => 4403,
            CloseCode::DocumentDeleted => 4404,
            CloseCode::DocumentTooLarge => 4413,
            CloseCode::TooManyAttempts => 4429,
            CloseCode::Busy => 4509,
        }
    }

    /// The code for a number, if it is one of ours.
    pub fn from_code(code: u16) -> Option<CloseCode> {
        CloseCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// A short English reason for the close frame and the logs (well under 123 bytes).
    pub fn reason(self) -> &'static str {
        match self {
            CloseCode::MalformedMessage => "malformed message",
            CloseCode::RejectedUpdate => "update rejected",
            CloseCode::MessageTooLarge => "message too large",
            CloseCode::UnsupportedMessage => "unsupported message",
            CloseCode::TooSlow => "client too slow",
            CloseCode::StorageFailed => "storage failed",
            CloseCode::ShuttingDown => "server shutting down",
            CloseCode::Internal => "internal server error",
            CloseCode::LinkInvalid => "link not valid",
            CloseCode::RespondentOnly => "link only fills in forms",
            CloseCode::DocumentDeleted => "document deleted",
            CloseCode::DocumentTooLarge => "document too large",
            CloseCode::TooManyAttempts => "too many wrong links from this address",
            CloseCode::Busy => "server busy",
        }
    }

    /// Whether the link or the document is gone, so reconnecting with the same link can never
    /// succeed.
    pub fn ends_session(self) -> bool {
        matches!(
            self,
            CloseCode::LinkInvalid | CloseCode::RespondentOnly | CloseCode::DocumentDeleted
        )
    }

    /// Whether reconnecting can help (a bad message will only be refused again).
    pub fn should_reconnect(self) -> bool {
        matches!(
            self,
            CloseCode::TooSlow
                | CloseCode::StorageFailed
                | CloseCode::ShuttingDown
                | CloseCode::Internal
                | CloseCode::TooManyAttempts
                | CloseCode::Busy
        )
    }
}

/// The reason of a [`CloseCode::Busy`] close: "server busy; retry in N s".
pub fn busy_reason(retry_after_secs: u32) -> String {
    format!(
        "{}; retry in {retry_after_secs} s",
        CloseCode::Busy.reason()
    )
}

/// The seconds a [`busy_reason`] asks the client to wait; `None` for any other text.
pub fn retry_after_secs(reason: &str) -> Option<u32> {
    let rest = reason.strip_prefix(CloseCode::Busy.reason())?;
    let secs = rest.strip_prefix("; retry in ")?.strip_suffix(" s")?;
    secs.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_stay_in_our_range() {
        for c in CloseCode::ALL {
            assert!((4000..5000).contains(&c.code()));
            assert_eq!(CloseCode::from_code(c.code()), Some(c));
            assert!(c.reason().len() <= 123);
        }
        assert_eq!(CloseCode::from_code(1000), None);
    }

    #[test]
    fn a_busy_reason_carries_its_seconds() {
        let reason = busy_reason(12);
        assert_eq!(reason, "server busy; retry in 12 s");
        assert!(busy_reason(u32::MAX).len() <= 123);
        assert_eq!(retry_after_secs(&reason), Some(12));
        for other in [
            "",
            "server busy",
            "server busy; retry in x s",
            "storage failed",
        ] {
            assert_eq!(retry_after_secs(other), None, "{other:?}");
        }
        assert!(CloseCode::Busy.should_reconnect() && !CloseCode::Busy.ends_session());
    }
}
