using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Mail;

/// <summary>How the SMTP connection is secured (<c>Gatehouse:Smtp:Security</c>).</summary>
public enum SmtpSecurity
{
    /// <summary>Plain SMTP, never upgraded (for a relay on the same host or network).</summary>
    None,

    /// <summary>Upgraded with STARTTLS before anything is sent; a server that does not offer it gets nothing.</summary>
    StartTls,

    /// <summary>TLS from the first byte (implicit TLS, RFC 8314), usually on port 465.</summary>
    Tls,

    /// <summary>
    /// Implicit TLS on port 465, otherwise STARTTLS when the server offers it. A man in the middle
    /// can remove the offer, so a server that does not offer it gets the mail in the clear.
    /// </summary>
    Auto,
}

/// <summary>Section <c>Gatehouse:Smtp</c>. Without a host, mail is written as .eml files to the data directory.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    /// <summary>Unset: 465 for implicit TLS, 25 otherwise.</summary>
    public int? Port { get; set; }

    /// <summary>The older switch: true asks for STARTTLS, as <see cref="Security"/> <c>starttls</c> does.</summary>
    public bool UseTls { get; set; }

    /// <summary><c>none</c>, <c>starttls</c>, <c>tls</c> or <c>auto</c>; unset, it follows <see cref="UseTls"/>.</summary>
    public string? Security { get; set; }

    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "Gatehouse <no-reply@localhost>";

    /// <summary>How long to wait for the connection and for each answer of the SMTP server.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the dispatcher looks for due messages.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The security in force; only valid once the validator has passed.</summary>
    public SmtpSecurity EffectiveSecurity => ParseSecurity(Security) ?? (UseTls ? SmtpSecurity.StartTls : SmtpSecurity.None);

    public int EffectivePort => Port ?? (EffectiveSecurity == SmtpSecurity.Tls ? 465 : 25);

    /// <summary>Null for unset; throws nothing, so the validator can name a bad value.</summary>
    internal static SmtpSecurity? ParseSecurity(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "none" => SmtpSecurity.None,
        "starttls" => SmtpSecurity.StartTls,
        "tls" => SmtpSecurity.Tls,
        "auto" => SmtpSecurity.Auto,
        _ => null,
    };
}

internal sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    /// <summary>
    /// Each answer of the server is awaited at most this long, so one delivery stays well inside
    /// the dispatcher's two-minute lease on the message (MailDispatcher): past the lease another
    /// instance could claim the message and send it a second time.
    /// </summary>
    internal static readonly TimeSpan MaximumTimeout = TimeSpan.FromMinutes(1);

    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"Gatehouse:Smtp:Port must be between 1 and 65535 (it is {options.Port}). Set Gatehouse__Smtp__Port.");
        }
        var security = SmtpOptions.ParseSecurity(options.Security);
        if (!string.IsNullOrWhiteSpace(options.Security) && security is null)
        {
            failures.Add($"Gatehouse:Smtp:Security must be none, starttls, tls (implicit TLS, usually port 465) or auto (it is '{options.Security}'). Set Gatehouse__Smtp__Security.");
        }
        else if (options.UseTls && security is not (null or SmtpSecurity.StartTls))
        {
            failures.Add($"Gatehouse:Smtp:UseTls=true asks for STARTTLS, but Gatehouse:Smtp:Security is '{options.Security}'. Remove Gatehouse__Smtp__UseTls (Security decides), or set Security to starttls.");
        }
        if (!MailMessageBuilder.TryParseSender(options.From, out _))
        {
            failures.Add($"Gatehouse:Smtp:From must be an email address such as 'Gatehouse <no-reply@example.com>' (it is '{options.From}'). Set Gatehouse__Smtp__From.");
        }
        if (options.Username is not null && options.Password is null)
        {
            failures.Add("Gatehouse:Smtp:Password is required when Gatehouse:Smtp:Username is set. Set Gatehouse__Smtp__Password.");
        }
        if (options.Timeout < TimeSpan.FromSeconds(1) || options.Timeout > MaximumTimeout)
        {
            failures.Add($"Gatehouse:Smtp:Timeout must be between 00:00:01 and 00:01:00 (it is {options.Timeout}): how long to wait for the SMTP server to accept the connection or answer a command. Set Gatehouse__Smtp__Timeout, e.g. 00:00:30.");
        }
        if (options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add("Gatehouse:Smtp:PollInterval must be positive, e.g. 00:00:01.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
