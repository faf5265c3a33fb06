using System.Net;

namespace Gatehouse.Core.Mail;

/// <summary>What a template may show.</summary>
public sealed record MailModel(string? Name, string? Link, string? Code = null, string? ProductName = null);

/// <summary>
/// One template per intent, in text and HTML. Values are HTML-encoded in the HTML part; the
/// link is the only place a token appears.
/// </summary>
public static class MailTemplates
{
    public static (string Subject, string Text, string Html) Render(MailIntent intent, MailModel model)
    {
        var product = model.ProductName ?? "Gatehouse";
        var greeting = string.IsNullOrWhiteSpace(model.Name) ? "Hello," : $"Hello {model.Name},";
        var (subject, lead, action, after) = intent switch
        {
            MailIntent.EmailConfirmation => ($"Confirm your email for {product}", "Please confirm your email address by opening this link:", "Confirm email", "If you did not create an account, ignore this message."),
            MailIntent.PasswordReset => ($"Reset your {product} password", "Someone asked to reset the password of your account. To choose a new password, open this link:", "Reset password", "If you did not ask for this, ignore this message: your password stays as it is."),
            MailIntent.SignUpLink => ($"Finish signing up for {product}", "To finish creating your account, open this link:", "Sign up", "If you did not ask for this, ignore this message."),
            MailIntent.Invitation => ($"You are invited to {product}", "You have been invited. To accept and set your password, open this link:", "Accept invitation", "If you did not expect this, ignore this message."),
            MailIntent.EmailOtp => ($"Your {product} sign-in code", "Your one-time sign-in code is:", "", "The code works once and expires soon. If you did not ask for it, ignore this message."),
            MailIntent.PasswordChanged => ($"Your {product} password was changed", "The password of your account was just changed.", "", "If this was not you, reset your password at once."),
            _ => throw new ArgumentOutOfRangeException(nameof(intent), intent, null),
        };

        var body = model.Code ?? model.Link;
        var text = $"{greeting}\n\n{lead}\n\n{(body is null ? "" : body + "\n\n")}{after}\n\n— {product}\n";
        var html =
            $"<!doctype html><html><body style=\"font-family:sans-serif\"><p>{Enc(greeting)}</p><p>{Enc(lead)}</p>" +
            (model.Code is not null ? $"<p style=\"font-size:1.5em;letter-spacing:.2em\"><strong>{Enc(model.Code)}</strong></p>" :
             model.Link is not null ? $"<p><a href=\"{Enc(model.Link)}\">{Enc(action)}</a></p><p style=\"font-size:.8em\">{Enc(model.Link)}</p>" : "") +
            $"<p>{Enc(after)}</p><p>— {Enc(product)}</p></body></html>";
        return (subject, text, html);
    }

    private static string Enc(string value) => WebUtility.HtmlEncode(value);
}
