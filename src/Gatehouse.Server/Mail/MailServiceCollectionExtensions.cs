using Gatehouse.Core.Mail;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Mail;

internal static class MailServiceCollectionExtensions
{
    /// <summary>
    /// The SMTP settings, the transport (SMTP when a host is set, else the .eml folder) and the
    /// background dispatcher. The transport is scoped: one per dispatch pass, so one SMTP
    /// connection serves the messages of one poll.
    /// </summary>
    public static IServiceCollection AddGatehouseMail(this IServiceCollection services, IConfigurationSection smtp)
    {
        services.AddOptions<SmtpOptions>().Bind(smtp).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddScoped<IMailTransport>(sp => sp.GetRequiredService<IOptions<SmtpOptions>>().Value.Host is { Length: > 0 }
            ? ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp)
            : ActivatorUtilities.CreateInstance<PickupFolderMailTransport>(sp));
        services.AddHostedService<MailDispatcherService>();
        return services;
    }
}
