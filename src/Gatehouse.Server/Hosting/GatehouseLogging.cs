using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Hosting;

/// <summary>
/// Section <c>Gatehouse:Logging</c>. <c>Format</c>: <c>json</c> (one JSON object a line, UTC
/// timestamps: for log collectors), <c>plain</c> (ASP.NET Core's simple console format, for a
/// person) or <c>auto</c> (plain when standard output is a terminal, JSON otherwise).
/// </summary>
public sealed class LogFormatOptions
{
    public string Format { get; set; } = "auto";
}

internal static class GatehouseLogging
{
    /// <summary>Console logging in the format <c>Gatehouse:Logging:Format</c> asks for.</summary>
    public static WebApplicationBuilder AddGatehouseLogging(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(GatehouseOptions.Section).GetSection("Logging");
        builder.Services.AddOptions<LogFormatOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LogFormatOptions>, LogFormatOptionsValidator>();

        builder.Logging.ClearProviders();
        // The format is chosen now, before the options exist; a bad value logs JSON until the
        // validator stops the start-up with a message naming the key.
        if (IsPlain(section["Format"], Console.IsOutputRedirected) == true)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.TimestampFormat = "HH:mm:ss ";
                o.ColorBehavior = LoggerColorBehavior.Default;
            });
        }
        else
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        // Quiet framework chatter by default (also when run outside the folder holding
        // appsettings.json); a Logging:LogLevel setting for the category still wins.
        foreach (var (category, level) in new[] { ("Microsoft.AspNetCore", LogLevel.Warning), ("Microsoft.AspNetCore.DataProtection", LogLevel.Error) })
        {
            if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
            {
                builder.Logging.AddFilter(category, level);
            }
        }
        return builder;
    }

    /// <summary>Whether the format is plain text; null for a value that is no format.</summary>
    internal static bool? IsPlain(string? format, bool outputRedirected) => format?.Trim().ToLowerInvariant() switch
    {
        "plain" => true,
        "json" => false,
        null or "" or "auto" => !outputRedirected,
        _ => null,
    };
}

internal sealed class LogFormatOptionsValidator : IValidateOptions<LogFormatOptions>
{
    public ValidateOptionsResult Validate(string? name, LogFormatOptions options) =>
        GatehouseLogging.IsPlain(options.Format, outputRedirected: true) is not null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Gatehouse:Logging:Format must be json, plain or auto (it is '{options.Format}'). Set Gatehouse__Logging__Format.");
}
