# puppet-lint checks loaded with `puppet-lint --load`: every parameter of a class or defined type
# has a type and a puppet-strings `@param` line. (Debian ships puppet-lint without plugins.)

# The parameters of a class or defined type: [variable token, whether a type precedes it].
module ClustersyncLintParameters
  OPEN = [:LBRACK, :LPAREN, :LBRACE].freeze
  CLOSE = [:RBRACK, :RPAREN, :RBRACE].freeze
  BLANK = [:WHITESPACE, :NEWLINE, :INDENT, :COMMENT, :MLCOMMENT, :SLASH_COMMENT].freeze

  def self.parameters(item)
    tokens = item[:param_tokens] || []
    depth = 0
    in_default = false
    previous = nil # last non-blank token at depth 0 of the current parameter
    found = []
    tokens.each do |token|
      next if BLANK.include?(token.type)
      if OPEN.include?(token.type)
        depth += 1
        next
      elsif CLOSE.include?(token.type)
        depth -= 1
        previous = token if depth.zero?
        next
      end
      next unless depth.zero?

      case token.type
      when :COMMA
        in_default = false
        previous = nil
      when :EQUALS
        in_default = true
      when :VARIABLE
        found << [token, !previous.nil?] unless in_default
        previous = token
      else
        previous = token
      end
    end
    found
  end

  # The text of the comments right above the class or define keyword.
  def self.header(tokens, start)
    text = []
    index = start - 1
    while index >= 0 && BLANK.include?(tokens[index].type)
      text.unshift(tokens[index].value) if tokens[index].type == :COMMENT
      index -= 1
    end
    text
  end
end

PuppetLint.new_check(:parameter_types) do
  def check
    (class_indexes + defined_type_indexes).each do |item|
      ClustersyncLintParameters.parameters(item).each do |token, typed|
        next if typed
        notify :warning, message: "parameter $#{token.value} has no type", line: token.line, column: token.column
      end
    end
  end
end

PuppetLint.new_check(:parameter_documentation) do
  def check
    (class_indexes + defined_type_indexes).each do |item|
      header = ClustersyncLintParameters.header(tokens, item[:start])
      documented = header.map { |line| line[%r{\A\s*@param\s+(\S+)}, 1] }.compact
      ClustersyncLintParameters.parameters(item).each do |token, _typed|
        next if documented.include?(token.value)
        notify :warning, message: "parameter $#{token.value} has no @param documentation", line: token.line, column: token.column
      end
    end
  end
end
