using Gatehouse.Server.Cli;
using Gatehouse.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddGatehouse();
var app = builder.Build();
app.UseGatehouse();

if (AdminCommands.IsCommand(args))
{
    return await AdminCommands.RunAsync(app, args);
}

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to the integration tests' host factory.</summary>
public partial class Program;
