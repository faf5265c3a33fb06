using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>SMTP settings are checked before the server starts; a bad one names its key and the fix.</summary>
public sealed class MailSettingsTests
{
    [Theory]
    [InlineData("Gatehouse:Smtp:Security", "ssl", null, "Gatehouse:Smtp:Security must be none, starttls, tls (implicit TLS, usually port 465) or auto (it is 'ssl'). Set Gatehouse__Smtp__Security.")]
    [InlineData("Gatehouse:Smtp:Security", "tls", "Gatehouse:Smtp:UseTls", "Gatehouse:Smtp:UseTls=true asks for STARTTLS, but Gatehouse:Smtp:Security is 'tls'.")]
    [InlineData("Gatehouse:Smtp:Timeout", "00:05:00", null, "Gatehouse:Smtp:Timeout must be between 00:00:01 and 00:01:00 (it is 00:05:00)")]
    [InlineData("Gatehouse:Smtp:From", "Gatehouse", null, "Gatehouse:Smtp:From must be an email address")]
    [InlineData("Gatehouse:Smtp:Port", "0", null, "Gatehouse:Smtp:Port must be between 1 and 65535")]
    public void A_bad_smtp_setting_stops_the_start_up_with_a_message_that_names_the_key(string key, string value, string? useTlsKey, string message)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (useTlsKey is not null)
        {
            settings[useTlsKey] = "true";
        }
        using var factory = new GatehouseFactory(settings);

        var error = Record.Exception(() => factory.Services);

        Assert.NotNull(error);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("starttls", null)]
    [InlineData("STARTTLS", "true")]
    [InlineData("none", null)]
    [InlineData("auto", null)]
    public void Each_documented_security_value_is_accepted(string security, string? useTls)
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Smtp:Security"] = security, ["Gatehouse:Smtp:UseTls"] = useTls });

        Assert.NotNull(factory.Services);
    }
}
