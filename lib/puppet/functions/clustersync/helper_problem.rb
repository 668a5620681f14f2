# frozen_string_literal: true

require 'etc'

# @summary Why the helper at a path cannot run on the machine that compiles the catalog, or undef.
#
# Puppet's generate() reports a missing or non-executable program with a raw Java or Ruby error
# that names neither the parameter nor the user; the module fails with this text instead. The
# compiling server runs as its own user (`puppet` under puppetserver), which is the user named.
Puppet::Functions.create_function(:'clustersync::helper_problem') do
  # @param path
  #   The helper's path (the class's `helper_path`).
  # @return [Optional[String]]
  #   undef when the file exists and this process can execute it, else the reason.
  dispatch :helper_problem do
    param 'Stdlib::Absolutepath', :path
    return_type 'Optional[String]'
  end

  def helper_problem(path)
    user = begin
      Etc.getpwuid(Process.euid).name
    rescue ArgumentError
      "uid #{Process.euid}"
    end
    return "does not exist on the machine that compiles the catalog" unless File.exist?(path)
    return "is not a file on the machine that compiles the catalog" unless File.file?(path)
    return "cannot be executed by user '#{user}', who compiles the catalog" unless File.executable?(path)
    nil
  end
end
