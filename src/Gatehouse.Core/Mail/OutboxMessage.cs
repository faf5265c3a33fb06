namespace Gatehouse.Core.Mail;

/// <summary>Why a message is sent; picks its template.</summary>
public enum MailIntent
{
    EmailConfirmation,
    PasswordReset,
    SignUpLink,
    Invitation,
    EmailOtp,
    PasswordChanged,
}

/// <summary>
/// A message waiting in the outbox. It is written in the same transaction as the change that
/// causes it. Its body carries a live emailed token, so the body is stored encrypted and wiped
/// once delivered.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public string Intent { get; set; } = "";
    public string Recipient { get; set; } = "";
    public string Subject { get; set; } = "";

    /// <summary>Encrypted JSON of the text and HTML bodies; empty after delivery.</summary>
    public string ProtectedBody { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? FailedAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>A rendered message, ready for a transport.</summary>
public sealed record MailContent(string Recipient, string Subject, string TextBody, string HtmlBody);
